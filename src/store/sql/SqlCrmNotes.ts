import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { CrmNoteKind } from "../../lead/CrmNote.js"
import { CrmNotes } from "../CrmNotes.js"
import { Leases } from "../Leases.js"
import { dueWork } from "./dueWork.js"
import { storeOp } from "./rows.js"

const NoteRow = Schema.Struct({
  lead_id: Schema.String,
  note_key: Schema.String,
  kind: CrmNoteKind,
  text: Schema.String,
  created_at: Schema.Number,
  next_attempt_at: Schema.NullOr(Schema.Number),
  retries: Schema.Number
})

/** The notes' outbox in SQL: a row with no outcome is pending; a lead's lease covers its notes. */
export const SqlCrmNotes = Layer.effect(
  CrmNotes,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases
    const work = dueWork(sql, leases, { table: "crm_notes", kind: "crm_note", keyColumn: "lead_id" })
    const pending = SqlSchema.findAll({
      Request: Schema.String,
      Result: NoteRow,
      execute: (leadId) =>
        sql`SELECT lead_id, note_key, kind, text, created_at, next_attempt_at, retries FROM crm_notes
            WHERE lead_id = ${leadId} AND outcome IS NULL ORDER BY created_at, note_key`
    })
    const due = SqlSchema.findAll({
      Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
      Result: Schema.Struct({ lead_id: Schema.String }),
      // A lead whose note waits for its retry is not due before it (its later notes wait behind it); oldest first.
      execute: ({ limit, now }) =>
        sql`SELECT n.lead_id FROM crm_notes n
            WHERE n.outcome IS NULL AND ${work.dueBy(now)} AND NOT EXISTS (
              SELECT 1 FROM crm_notes o WHERE o.lead_id = n.lead_id AND o.outcome IS NULL AND o.next_attempt_at > ${now}
            )
            GROUP BY n.lead_id ORDER BY MIN(n.next_attempt_at) LIMIT ${limit}`
    })
    return CrmNotes.of({
      queue: (notes) =>
        notes.length === 0 ? Effect.void : sql`INSERT INTO crm_notes ${
          sql.insert(notes.map((n) => ({
            lead_id: n.leadId,
            note_key: n.key,
            kind: n.kind,
            text: n.text,
            created_at: n.createdAt,
            next_attempt_at: n.createdAt
          })))
        } ON CONFLICT DO NOTHING`.pipe(Effect.asVoid, storeOp("queueCrmNotes")),
      pendingOf: (leadId) =>
        pending(leadId).pipe(
          Effect.map((rows) =>
            rows.map((r) => ({
              leadId: r.lead_id,
              key: r.note_key,
              kind: r.kind,
              text: r.text,
              createdAt: r.created_at,
              dueAt: Option.fromNullable(r.next_attempt_at),
              retries: r.retries
            }))
          ),
          storeOp("pendingCrmNotes")
        ),
      leadsDue: (now, limit) =>
        due({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.lead_id)), storeOp("crmNotesDue")),
      retryLater: (leadId, key, at) =>
        sql`UPDATE crm_notes SET next_attempt_at = ${at}, retries = retries + 1
            WHERE lead_id = ${leadId} AND note_key = ${key} AND outcome IS NULL`.pipe(
          Effect.asVoid,
          storeOp("retryCrmNote")
        ),
      settle: (leadId, key, outcome) =>
        sql`UPDATE crm_notes SET outcome = ${outcome}, next_attempt_at = NULL
            WHERE lead_id = ${leadId} AND note_key = ${key} AND outcome IS NULL`.pipe(
          Effect.asVoid,
          storeOp("settleCrmNote")
        ),
      forgetPerson: (telegramId) =>
        sql`DELETE FROM crm_notes WHERE lead_id IN (SELECT id FROM leads WHERE telegram_id = ${telegramId})
            RETURNING lead_id`.pipe(Effect.map((rows) => rows.length), storeOp("forgetCrmNotes"))
    })
  })
)
