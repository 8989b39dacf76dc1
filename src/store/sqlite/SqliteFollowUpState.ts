import { SqlClient } from "@effect/sql"
import { Array as Arr, Effect, Layer, Option, Schema } from "effect"
import type { FollowUp } from "../../lead/Lead.js"
import { FollowUpState } from "../FollowUpState.js"
import { FollowUpRow, storeOp } from "./rows.js"

const decodeRows = Schema.decodeUnknown(Schema.Array(FollowUpRow))
const decodeLatest = Schema.decodeUnknown(Schema.Array(Schema.Struct({ lead_id: Schema.String })))

const toFollowUp = (row: typeof FollowUpRow.Type): FollowUp => ({
  leadId: row.lead_id,
  seq: row.seq,
  chatId: row.chat_id,
  messageId: row.message_id,
  media: Option.fromNullable(row.media),
  text: row.text
})

/** Follow-ups survive a restart: a person's next message still finds their lead and its admin message. */
export const SqliteFollowUpState = Layer.effect(
  FollowUpState,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const list = (leadId: string, where: "queued" | "edited") =>
      (where === "queued"
        ? sql`SELECT * FROM follow_ups WHERE lead_id = ${leadId} AND applied_via IS NULL ORDER BY seq`
        : sql`SELECT * FROM follow_ups WHERE lead_id = ${leadId} AND applied_via = 'edit' ORDER BY seq`
      ).pipe(Effect.flatMap(decodeRows), Effect.map(Arr.map(toFollowUp)), storeOp(where))

    return FollowUpState.of({
      attach: (telegramId, leadId) =>
        sql`INSERT INTO latest_leads ${sql.insert({ telegram_id: telegramId, lead_id: leadId })}
            ON CONFLICT (telegram_id) DO UPDATE SET lead_id = excluded.lead_id`.pipe(Effect.asVoid, storeOp("attach")),
      latestLead: (telegramId) =>
        sql`SELECT lead_id FROM latest_leads WHERE telegram_id = ${telegramId}`.pipe(
          Effect.flatMap(decodeLatest),
          Effect.map((rows) => Option.map(Arr.head(rows), (r) => r.lead_id)),
          storeOp("latestLead")
        ),
      add: (input) =>
        sql`INSERT INTO follow_ups (lead_id, seq, chat_id, message_id, media, text)
            SELECT ${input.leadId}, COALESCE(MAX(seq), 0) + 1, ${input.chatId}, ${input.messageId},
                   ${Option.getOrNull(input.media)}, ${input.text}
            FROM follow_ups WHERE lead_id = ${input.leadId}
            ON CONFLICT (chat_id, message_id) DO NOTHING`.pipe(
          Effect.zipRight(sql`SELECT * FROM follow_ups WHERE chat_id = ${input.chatId} AND message_id = ${input.messageId}`),
          Effect.flatMap(decodeRows),
          Effect.flatMap((rows) => Arr.head(rows)),
          Effect.map(toFollowUp),
          storeOp("addFollowUp")
        ),
      queued: (leadId) => list(leadId, "queued"),
      markApplied: (leadId, seq, via) =>
        sql`UPDATE follow_ups SET applied_via = ${via} WHERE lead_id = ${leadId} AND seq = ${seq}`.pipe(
          Effect.asVoid,
          storeOp("markApplied")
        ),
      leadsWithQueued: sql`SELECT DISTINCT lead_id FROM follow_ups WHERE applied_via IS NULL`.pipe(
        Effect.flatMap(decodeLatest),
        Effect.map(Arr.map((r) => r.lead_id)),
        storeOp("leadsWithQueued")
      ),
      appliedByEdit: (leadId) => list(leadId, "edited")
    })
  })
)
