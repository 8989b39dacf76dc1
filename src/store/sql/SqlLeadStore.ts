import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"

import { outcomeKinds } from "../../lead/Lead.js"
import { LeadStore } from "../LeadStore.js"
import { Leases } from "../Leases.js"
import { directStatements } from "./directStatements.js"
import { dueWork } from "./dueWork.js"
import { LeadFromRow, LeadRecordFromRow, storeOp, wroteOne } from "./rows.js"
import { sqlLeadReconcile } from "./sqlLeadReconcile.js"
import { sqlLeadTeamwork } from "./sqlLeadTeamwork.js"

/** The outbox in SQL (SQLite or PostgreSQL): a lead row with no outcome is pending. */
export const SqlLeadStore = Layer.effect(
  LeadStore,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases
    const run = yield* directStatements

    // A lead with its failed attempts, in order, in one statement (a JSON array the row's schema parses).
    const leadsWithAttempts = sql`SELECT leads.*, COALESCE(${
      sql.literal(sql.onDialectOrElse({
        pg: () =>
          "(SELECT CAST(json_agg(json_build_object('at', a.at, 'error', a.error, 'admin_error', a.admin_error)" +
          " ORDER BY a.id) AS TEXT)" +
          " FROM delivery_attempts a WHERE a.lead_id = leads.id)",
        orElse: () =>
          "(SELECT json_group_array(json_object('at', a.at, 'error', a.error, 'admin_error', a.admin_error)" +
          " ORDER BY a.rowid)" +
          " FROM delivery_attempts a WHERE a.lead_id = leads.id)"
      }))
    }, '[]') AS attempts FROM leads`
    const findLead = SqlSchema.findOne({
      Request: Schema.String,
      Result: LeadRecordFromRow,
      execute: (id) => run(sql`${leadsWithAttempts} WHERE id = ${id}`)
    })
    const findUndelivered = SqlSchema.findAll({
      Request: Schema.Void,
      Result: LeadRecordFromRow,
      execute: () => sql`${leadsWithAttempts} WHERE outcome IS NULL ORDER BY created_at`
    })
    const findAwaitingEntry = SqlSchema.findAll({
      Request: Schema.Void,
      Result: LeadRecordFromRow,
      execute: () =>
        sql`${leadsWithAttempts} WHERE outcome = ${outcomeKinds.Fallback} AND handled_at IS NULL
              AND reconciled_at IS NULL ORDER BY created_at`
    })
    const findUnconfirmed = SqlSchema.findOne({
      Request: Schema.String,
      Result: LeadFromRow,
      execute: (tapId) => sql`SELECT * FROM leads WHERE tap_id = ${tapId} AND confirmed_at IS NULL`
    })
    const work = dueWork(sql, leases, { table: "leads", kind: "lead", keyColumn: "id" }, run)
    const findDue = SqlSchema.findAll({
      Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
      Result: Schema.Struct({ id: Schema.String }),
      execute: ({ limit, now }) =>
        sql`SELECT id FROM leads WHERE ${work.dueBy(now)} ORDER BY next_attempt_at LIMIT ${limit}`
    })
    const findId = SqlSchema.findOne({
      Request: Schema.String,
      Result: Schema.Struct({ id: Schema.String }),
      execute: (id) => sql`SELECT id FROM leads WHERE id = ${id}`
    })
    const exists = (leadId: string) => findId(leadId).pipe(Effect.map(Option.isSome))
    const findOfPerson = SqlSchema.findAll({
      Request: Schema.Number,
      Result: LeadRecordFromRow,
      execute: (telegramId) => sql`${leadsWithAttempts} WHERE telegram_id = ${telegramId} ORDER BY created_at, id`
    })
    const theirLeads = (telegramId: number) => sql`SELECT id FROM leads WHERE telegram_id = ${telegramId}`
    /**
     * Their leads as they stood, then their attempts and the leads themselves. The leads' follow-ups and the person's
     * pointer to their latest lead must be gone already (FollowUpState.forgetPerson, first in the same unit): they
     * reference the leads (foreign keys, on PostgreSQL and SQLite alike).
     */
    const forgetPerson = (telegramId: number) =>
      Effect.gen(function*() {
        const leads = yield* findOfPerson(telegramId)
        const attempts = yield* sql`DELETE FROM delivery_attempts WHERE lead_id IN (${theirLeads(telegramId)})
          RETURNING lead_id`
        yield* sql`DELETE FROM leads WHERE telegram_id = ${telegramId}`
        return { leads, attempts: attempts.length }
      })
    return LeadStore.of({
      // INSERT … SELECT … WHERE NOT EXISTS: the repeat-tap check costs no statement of its own (and uses the
      // leads_repeat_taps index). The casts type the parameters, which PostgreSQL would otherwise take as text.
      record: (lead, repeatSince) =>
        run(sql`INSERT INTO leads
              (id, profile, brand_name, service_id, title, telegram_id, full_name, username, created_at, tap_id,
               next_attempt_at, campaign)
            SELECT CAST(${lead.id} AS TEXT), CAST(${lead.profile} AS TEXT), CAST(${lead.brandName} AS TEXT),
              CAST(${lead.serviceId} AS TEXT), CAST(${lead.title} AS TEXT), CAST(${lead.contact.telegramId} AS BIGINT),
              CAST(${lead.contact.fullName} AS TEXT), CAST(${Option.getOrNull(lead.contact.username)} AS TEXT),
              CAST(${lead.createdAt} AS BIGINT), CAST(${lead.tapId} AS TEXT), CAST(${lead.createdAt} AS BIGINT),
              CAST(${Option.getOrNull(lead.campaign)} AS TEXT)
            WHERE NOT EXISTS (SELECT 1 FROM leads WHERE telegram_id = ${lead.contact.telegramId}
              AND profile = ${lead.profile} AND service_id = ${lead.serviceId} AND created_at >= ${repeatSince})
            ON CONFLICT DO NOTHING
            RETURNING id`).pipe(wroteOne, storeOp("record")),
      get: (leadId) => findLead(leadId).pipe(storeOp("get")),
      markConfirmed: (leadId, at) =>
        run(sql`UPDATE leads SET confirmed_at = ${at} WHERE id = ${leadId} AND confirmed_at IS NULL`).pipe(
          Effect.asVoid,
          storeOp("markConfirmed")
        ),
      owedConfirmation: (tapId) => findUnconfirmed(tapId).pipe(storeOp("owedConfirmation")),
      setOutcome: (leadId, outcome) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            outcome._tag === "Crm"
              ? run(sql`UPDATE leads SET outcome = ${outcomeKinds.Crm}, delivered_at = ${now}
                  WHERE id = ${leadId} AND outcome IS NULL RETURNING id`)
              : run(
                sql`UPDATE leads SET outcome = ${outcomeKinds.Fallback}, admin_chat_id = ${
                  Option.getOrNull(outcome.chatId)
                }, admin_message_id = ${outcome.messageId}, admin_html = ${outcome.html}, delivered_at = ${now}
                  WHERE id = ${leadId} AND outcome IS NULL RETURNING id`
              )
          ),
          wroteOne,
          // The first outcome stands: a lead that has one already is still there.
          Effect.flatMap((set) => (set ? Effect.succeed(true) : exists(leadId))),
          storeOp("setOutcome")
        ),
      recordAttempt: (leadId, attempt) =>
        sql`INSERT INTO delivery_attempts ${
          sql.insert({
            lead_id: leadId,
            at: attempt.at,
            error: attempt.error,
            admin_error: Option.getOrNull(attempt.adminError)
          })
        }`
          .pipe(
            Effect.asVoid,
            storeOp("recordAttempt")
          ),
      markHandled: (leadId, handled) =>
        sql`UPDATE leads SET handled_by = ${handled.by}, handled_at = ${handled.at}, wakes = wakes + 1,
              next_attempt_at = COALESCE(next_attempt_at, ${handled.at}), reconcile_at = NULL
            WHERE id = ${leadId} AND handled_at IS NULL AND reconciled_at IS NULL RETURNING id`.pipe(
          wroteOne,
          storeOp("markHandled")
        ),
      markHandledShown: (leadId) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => sql`UPDATE leads SET handled_shown_at = ${now} WHERE id = ${leadId}`),
          Effect.asVoid,
          storeOp("markHandledShown")
        ),
      wake: (leadId, at) =>
        sql`UPDATE leads SET wakes = wakes + 1, next_attempt_at = COALESCE(next_attempt_at, ${at})
            WHERE id = ${leadId}`.pipe(Effect.asVoid, storeOp("wake")),
      due: (now, limit) => findDue({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.id)), storeOp("due")),
      retryLater: (leadId, at) => work.retryLater(leadId, at).pipe(storeOp("retryLater")),
      // Settled only if no work was added since `wakes` was read.
      settle: (leadId, wakes) => work.settle(leadId, sql`retries = 0`, sql`wakes = ${wakes}`).pipe(storeOp("settle")),
      moveFallback: (leadId, chatId, messageId) =>
        sql`UPDATE leads SET admin_chat_id = ${chatId}, admin_message_id = ${messageId}
            WHERE id = ${leadId} AND outcome = ${outcomeKinds.Fallback}`.pipe(Effect.asVoid, storeOp("moveFallback")),
      setCard: (leadId, messageId) =>
        sql`UPDATE leads SET card_message_id = ${messageId} WHERE id = ${leadId} AND card_message_id IS NULL`.pipe(
          Effect.asVoid,
          storeOp("setCard")
        ),
      ...sqlLeadTeamwork(sql, leases),
      ...sqlLeadReconcile(sql, leases),
      undelivered: findUndelivered(undefined).pipe(storeOp("undelivered")),
      awaitingEntry: findAwaitingEntry(undefined).pipe(storeOp("awaitingEntry")),
      ofPerson: (telegramId) => findOfPerson(telegramId).pipe(storeOp("leadsOfPerson")),
      forgetPerson: (telegramId) => forgetPerson(telegramId).pipe(storeOp("forgetLeads"))
    })
  })
)
