import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"

import type { AppliedVia } from "../../lead/Lead.js"
import { FollowUpState } from "../FollowUpState.js"
import { directStatements } from "./directStatements.js"
import { FollowUpFromRow, storeOp } from "./rows.js"

const byEdit: AppliedVia = "edit"

/** Follow-ups survive a restart: a person's next message still finds their lead and its admin message. */
export const SqlFollowUpState = Layer.effect(
  FollowUpState,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const run = yield* directStatements
    const LeadId = Schema.Struct({ lead_id: Schema.String })

    const queued = SqlSchema.findAll({
      Request: Schema.String,
      Result: FollowUpFromRow,
      execute: (leadId) => sql`SELECT * FROM follow_ups WHERE lead_id = ${leadId} AND applied_via IS NULL ORDER BY seq`
    })
    const edited = SqlSchema.findAll({
      Request: Schema.String,
      Result: FollowUpFromRow,
      execute: (leadId) =>
        sql`SELECT * FROM follow_ups WHERE lead_id = ${leadId} AND applied_via = ${byEdit}
        ORDER BY seq`
    })
    // A follow-up kept before its time was (migration 0015) came after its lead: the lead's time stands for it.
    const all = SqlSchema.findAll({
      Request: Schema.String,
      Result: Schema.Struct({ ...FollowUpFromRow.fields, at: Schema.Number }),
      execute: (leadId) =>
        sql`SELECT f.*, COALESCE(f.created_at, l.created_at) AS at FROM follow_ups f JOIN leads l ON l.id = f.lead_id
            WHERE f.lead_id = ${leadId} ORDER BY f.seq`
    })
    const byMessage = SqlSchema.single({
      Request: Schema.Struct({ chatId: Schema.Number, messageId: Schema.Number }),
      Result: FollowUpFromRow,
      execute: ({ chatId, messageId }) =>
        sql`SELECT * FROM follow_ups WHERE chat_id = ${chatId} AND message_id = ${messageId}`
    })
    const phone = SqlSchema.findOne({
      Request: Schema.String,
      Result: Schema.Struct({ text: Schema.String }),
      execute: (leadId) =>
        run(sql`SELECT text FROM follow_ups WHERE lead_id = ${leadId} AND phone = 1 ORDER BY seq DESC LIMIT 1`)
    })
    const latest = SqlSchema.findOne({
      Request: Schema.Number,
      Result: LeadId,
      execute: (telegramId) => sql`SELECT lead_id FROM latest_leads WHERE telegram_id = ${telegramId}`
    })
    const theirLeads = (telegramId: number) => sql`SELECT id FROM leads WHERE telegram_id = ${telegramId}`
    const count = SqlSchema.single({
      Request: Schema.Number,
      Result: Schema.Struct({ n: Schema.Number }),
      execute: (telegramId) => sql`SELECT COUNT(*) AS n FROM follow_ups WHERE lead_id IN (${theirLeads(telegramId)})`
    })
    // A person's follow-ups go to their latest lead: the newest lead's last phone is the last one they gave.
    const lastPhone = SqlSchema.findOne({
      Request: Schema.Number,
      Result: Schema.Struct({ text: Schema.String }),
      execute: (telegramId) =>
        sql`SELECT f.text FROM follow_ups f JOIN leads l ON l.id = f.lead_id
            WHERE l.telegram_id = ${telegramId} AND f.phone = 1 ORDER BY l.created_at DESC, f.seq DESC LIMIT 1`
    })

    return FollowUpState.of({
      attach: (telegramId, leadId) =>
        run(sql`INSERT INTO latest_leads ${sql.insert({ telegram_id: telegramId, lead_id: leadId })}
            ON CONFLICT (telegram_id) DO UPDATE SET lead_id = excluded.lead_id`).pipe(Effect.asVoid, storeOp("attach")),
      latestLead: (telegramId) =>
        latest(telegramId).pipe(Effect.map(Option.map((r) => r.lead_id)), storeOp("latestLead")),
      add: (input) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            sql`INSERT INTO follow_ups (lead_id, seq, chat_id, message_id, media, text, phone, created_at)
            SELECT CAST(${input.leadId} AS TEXT), COALESCE(MAX(seq), 0) + 1, CAST(${input.chatId} AS BIGINT),
                   CAST(${input.messageId} AS BIGINT), CAST(${Option.getOrNull(input.media)} AS TEXT),
                   CAST(${input.text} AS TEXT), ${input.phone ? 1 : 0}, CAST(${now} AS BIGINT)
            FROM follow_ups WHERE lead_id = ${input.leadId}
            ON CONFLICT (chat_id, message_id) DO NOTHING`
          ),
          Effect.zipRight(byMessage({ chatId: input.chatId, messageId: input.messageId })),
          storeOp("addFollowUp")
        ),
      queued: (leadId) => queued(leadId).pipe(storeOp("queued")),
      allOf: (leadId) =>
        all(leadId).pipe(
          Effect.map((rows) => rows.map(({ at, ...followUp }) => ({ followUp, at }))),
          storeOp("followUpsOf")
        ),
      markApplied: (leadId, seq, via) =>
        sql`UPDATE follow_ups SET applied_via = ${via} WHERE lead_id = ${leadId} AND seq = ${seq}`.pipe(
          Effect.asVoid,
          storeOp("markApplied")
        ),
      appliedByEdit: (leadId) => edited(leadId).pipe(storeOp("edited")),
      phoneOf: (leadId) => phone(leadId).pipe(Effect.map(Option.map((r) => r.text)), storeOp("phoneOf")),
      ofPerson: (telegramId) =>
        Effect.all({
          followUps: count(telegramId).pipe(Effect.map((r) => r.n)),
          phone: lastPhone(telegramId).pipe(Effect.map(Option.map((r) => r.text)))
        }).pipe(storeOp("followUpsOfPerson")),
      // Before their leads go (LeadStore.forgetPerson): both reference the leads.
      forgetPerson: (telegramId) =>
        Effect.all({
          followUps: sql`DELETE FROM follow_ups WHERE lead_id IN (${theirLeads(telegramId)}) RETURNING seq`,
          latestLead: sql`DELETE FROM latest_leads WHERE telegram_id = ${telegramId} RETURNING lead_id`
        }).pipe(
          Effect.map(({ followUps, latestLead }) => ({ followUps: followUps.length, latestLead: latestLead.length })),
          storeOp("forgetFollowUps")
        )
    })
  })
)
