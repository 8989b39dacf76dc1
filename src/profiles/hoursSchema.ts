import { Either, ParseResult, Schema } from "effect"

import { Time } from "./textSchemas.js"
import { parseDays, type WorkingHours } from "./workingHours.js"

/** `"hours": { "days": "mon-fri", "from": "10:00", "to": "19:00" }`, decoded to the days and times it means. */
export const HoursSchema = Schema.transformOrFail(
  Schema.Struct({ days: Schema.String, from: Time, to: Time }).pipe(
    Schema.filter((h) => h.from < h.to || { path: ["to"], message: `expected a time after from (${h.from})` }),
    Schema.filter((h) =>
      Either.match(parseDays(h.days), { onLeft: (message) => ({ path: ["days"], message }), onRight: () => true })
    )
  ),
  Schema.declare((u): u is WorkingHours => typeof u === "object" && u !== null && "daysRu" in u),
  {
    strict: true,
    decode: (h) => {
      const days = Either.getOrThrow(parseDays(h.days))
      return ParseResult.succeed<WorkingHours>({ days: days.days, from: h.from, to: h.to, daysRu: days.ru })
    },
    encode: (h, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, h, "hours are read, not written"))
  }
)
