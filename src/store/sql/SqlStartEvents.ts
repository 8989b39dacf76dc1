import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { StartEvents } from "../StartEvents.js"
import { directStatements } from "./directStatements.js"
import { storeOp } from "./rows.js"

/** People's `/start`s in SQL; the newest first by time, then by the order they were written. */
export const SqlStartEvents = Layer.effect(
  StartEvents,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const run = yield* directStatements
    const insertionOrder = sql.literal(sql.onDialectOrElse({ pg: () => "id", orElse: () => "rowid" }))
    const latest = SqlSchema.findOne({
      Request: Schema.Struct({ telegramId: Schema.Number, since: Schema.Number }),
      Result: Schema.Struct({ campaign: Schema.NullOr(Schema.String) }),
      execute: ({ since, telegramId }) =>
        run(sql`SELECT campaign FROM start_events WHERE telegram_id = ${telegramId} AND at >= ${since}
            ORDER BY at DESC, ${insertionOrder} DESC LIMIT 1`)
    })
    const count = SqlSchema.single({
      Request: Schema.Number,
      Result: Schema.Struct({ n: Schema.Number }),
      execute: (telegramId) => sql`SELECT COUNT(*) AS n FROM start_events WHERE telegram_id = ${telegramId}`
    })
    return StartEvents.of({
      record: (event) =>
        run(sql`INSERT INTO start_events ${
          sql.insert({
            telegram_id: event.telegramId,
            brand: Option.getOrNull(event.brand),
            campaign: Option.getOrNull(event.campaign),
            at: event.at
          })
        }`).pipe(Effect.asVoid, storeOp("recordStart")),
      campaignOf: (telegramId, since) =>
        latest({ telegramId, since }).pipe(
          Effect.map(Option.flatMap((row) => Option.fromNullable(row.campaign))),
          storeOp("campaignOf")
        ),
      forgetBefore: (before) =>
        sql`DELETE FROM start_events WHERE at < ${before} RETURNING at`.pipe(
          Effect.map((rows) => rows.length),
          storeOp("forgetStarts")
        ),
      countOf: (telegramId) => count(telegramId).pipe(Effect.map((r) => r.n), storeOp("countStarts")),
      forgetPerson: (telegramId) =>
        sql`DELETE FROM start_events WHERE telegram_id = ${telegramId} RETURNING at`.pipe(
          Effect.map((rows) => rows.length),
          storeOp("forgetPersonStarts")
        )
    })
  })
)
