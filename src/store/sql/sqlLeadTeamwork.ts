import type { SqlClient } from "@effect/sql"
import { SqlSchema } from "@effect/sql"
import { Effect, Option, Schema } from "effect"

import { CrmRefFromJson } from "../../lead/CrmRef.js"
import { Taken } from "../../lead/Lead.js"
import type { LeadStore } from "../LeadStore.js"
import type { Leases } from "../Leases.js"
import { storeOp, wroteOne } from "./rows.js"
import { unleased } from "./SqlLeases.js"

const encodeRef = Schema.encodeSync(CrmRefFromJson)

/** A lead's taker as its columns hold it. */
const TakerRow = Schema.Struct({
  taken_by: Schema.NullOr(Schema.String),
  taken_by_id: Schema.NullOr(Schema.Number),
  taken_at: Schema.NullOr(Schema.Number)
})

/** A lead's managers' work in SQL: who took it, who answered first, its reminders (columns of `leads`). */
export const sqlLeadTeamwork = (
  sql: SqlClient.SqlClient,
  leases: Leases["Type"]
): Pick<
  LeadStore["Type"],
  | "markFirstReply"
  | "take"
  | "markTakenShown"
  | "scheduleReminder"
  | "remindersDue"
  | "reminded"
  | "postponeReminder"
  | "setCrmRef"
  | "markMaybeInCrm"
> => {
  const takerOf = SqlSchema.findOne({
    Request: Schema.String,
    Result: TakerRow,
    execute: (id) => sql`SELECT taken_by, taken_by_id, taken_at FROM leads WHERE id = ${id}`
  })
  const free = leases.exclusive ? sql`1 = 1` : unleased(sql, "reminder", "id")
  const due = SqlSchema.findAll({
    Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
    Result: Schema.Struct({ id: Schema.String }),
    execute: ({ limit, now }) =>
      sql`SELECT id FROM leads WHERE next_reminder_at <= ${now} AND taken_at IS NULL AND first_reply_at IS NULL
            AND ${free} ORDER BY next_reminder_at LIMIT ${limit}`
  })
  return {
    markFirstReply: (leadId, at, by) =>
      sql`UPDATE leads SET first_reply_at = ${at}, first_reply_by = ${by}, next_reminder_at = NULL
          WHERE id = ${leadId} AND first_reply_at IS NULL RETURNING id`.pipe(wroteOne, storeOp("markFirstReply")),
    // The UPDATE's own condition makes one taker however many ask at once; the read after it says who stands.
    take: (leadId, taker) =>
      Effect.gen(function*() {
        const won = yield* wroteOne(
          sql`UPDATE leads SET taken_by = ${taker.by}, taken_by_id = ${taker.byId}, taken_at = ${taker.at},
                next_reminder_at = NULL, wakes = wakes + 1, next_attempt_at = COALESCE(next_attempt_at, ${taker.at})
              WHERE id = ${leadId} AND taken_at IS NULL RETURNING id`
        )
        const row = yield* takerOf(leadId)
        return Option.flatMap(row, (r) =>
          r.taken_by !== null && r.taken_by_id !== null && r.taken_at !== null
            ? Option.some({ won, taker: Taken.make({ by: r.taken_by, byId: r.taken_by_id, at: r.taken_at }) })
            : Option.none())
      }).pipe(storeOp("take")),
    markTakenShown: (leadId) =>
      sql`UPDATE leads SET taken_shown_at = taken_at WHERE id = ${leadId}`.pipe(Effect.asVoid, storeOp("takenShown")),
    scheduleReminder: (leadId, at) =>
      sql`UPDATE leads SET next_reminder_at = ${at}
          WHERE id = ${leadId} AND next_reminder_at IS NULL AND reminders_sent = 0 AND taken_at IS NULL
            AND first_reply_at IS NULL`.pipe(Effect.asVoid, storeOp("scheduleReminder")),
    remindersDue: (now, limit) =>
      due({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.id)), storeOp("remindersDue")),
    reminded: (leadId, sent, next) =>
      sql`UPDATE leads SET reminders_sent = ${sent}, next_reminder_at = ${Option.getOrNull(next)}
          WHERE id = ${leadId} AND reminders_sent = ${sent - 1} RETURNING id`.pipe(wroteOne, storeOp("reminded")),
    setCrmRef: (leadId, ref) =>
      sql`UPDATE leads SET crm_ref = ${encodeRef(ref)}, crm_maybe = 0 WHERE id = ${leadId}`.pipe(
        Effect.asVoid,
        storeOp("setCrmRef")
      ),
    markMaybeInCrm: (leadId, maybe) =>
      sql`UPDATE leads SET crm_maybe = ${maybe ? 1 : 0} WHERE id = ${leadId}`.pipe(
        Effect.asVoid,
        storeOp("maybeInCrm")
      ),
    postponeReminder: (leadId, at) =>
      sql`UPDATE leads SET next_reminder_at = ${at} WHERE id = ${leadId} AND next_reminder_at IS NOT NULL`.pipe(
        Effect.asVoid,
        storeOp("postponeReminder")
      )
  }
}
