import { SqlClient, SqlSchema } from "@effect/sql"
import { Array as Arr, Clock, Effect, Layer, Option, Schema } from "effect"

import type { Lead, LeadRecord, Outcome } from "../../lead/Lead.js"
import { LeadStore } from "../LeadStore.js"
import { Leases } from "../Leases.js"
import { LeadRow, LeadWithAttemptsRow, storeOp } from "./rows.js"
import { unleased } from "./SqlLeases.js"

const toLead = (row: LeadRow): Lead => ({
  id: row.id,
  profile: row.profile,
  brandName: row.brand_name,
  serviceId: row.service_id,
  title: row.title,
  contact: { telegramId: row.telegram_id, fullName: row.full_name, username: Option.fromNullable(row.username) },
  createdAt: row.created_at,
  tapId: row.tap_id ?? ""
})

const toOutcome = (row: LeadRow): Option.Option<Outcome> =>
  row.outcome === "crm"
    ? Option.some({ _tag: "Crm" })
    : row.outcome === "fallback" && row.admin_message_id !== null && row.admin_html !== null
    ? Option.some({ _tag: "Fallback", messageId: row.admin_message_id, html: row.admin_html })
    : Option.none()

const Returned = Schema.Struct({ id: Schema.String })

/** The outbox on SQLite: a lead row with no outcome is pending. */
export const SqlLeadStore = Layer.effect(
  LeadStore,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases

    // A lead with its failed attempts, in order, in one statement (a JSON array the row's schema parses).
    const leadsWithAttempts = sql`SELECT leads.*, COALESCE(${
      sql.literal(sql.onDialectOrElse({
        pg: () =>
          "(SELECT CAST(json_agg(json_build_object('at', a.at, 'error', a.error) ORDER BY a.id) AS TEXT)" +
          " FROM delivery_attempts a WHERE a.lead_id = leads.id)",
        orElse: () =>
          "(SELECT json_group_array(json_object('at', a.at, 'error', a.error) ORDER BY a.rowid)" +
          " FROM delivery_attempts a WHERE a.lead_id = leads.id)"
      }))
    }, '[]') AS attempts FROM leads`
    const findLead = SqlSchema.findOne({
      Request: Schema.String,
      Result: LeadWithAttemptsRow,
      execute: (id) => sql`${leadsWithAttempts} WHERE id = ${id}`
    })
    const findUndelivered = SqlSchema.findAll({
      Request: Schema.Void,
      Result: LeadWithAttemptsRow,
      execute: () => sql`${leadsWithAttempts} WHERE outcome IS NULL ORDER BY created_at`
    })
    const findAwaitingEntry = SqlSchema.findAll({
      Request: Schema.Void,
      Result: LeadWithAttemptsRow,
      execute: () => sql`${leadsWithAttempts} WHERE outcome = 'fallback' AND handled_at IS NULL ORDER BY created_at`
    })
    const findUnconfirmed = SqlSchema.findOne({
      Request: Schema.String,
      Result: LeadRow,
      execute: (tapId) => sql`SELECT * FROM leads WHERE tap_id = ${tapId} AND confirmed_at IS NULL`
    })
    // On a shared store, a lead another replica's live lease holds is that replica's to work on.
    const free = leases.exclusive ? sql`1 = 1` : unleased(sql, "lead", "id")
    const findDue = SqlSchema.findAll({
      Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
      Result: Returned,
      execute: ({ limit, now }) =>
        sql`SELECT id FROM leads WHERE next_attempt_at <= ${now} AND ${free} ORDER BY next_attempt_at LIMIT ${limit}`
    })
    const toRecord = (row: LeadWithAttemptsRow): LeadRecord => ({
      lead: toLead(row),
      outcome: toOutcome(row),
      attempts: row.attempts,
      handled: row.handled_by !== null && row.handled_at !== null
        ? Option.some({ by: row.handled_by, at: row.handled_at })
        : Option.none(),
      handledShown: row.handled_shown_at !== null,
      work: { dueAt: Option.fromNullable(row.next_attempt_at), retries: row.retries, wakes: row.wakes }
    })

    return LeadStore.of({
      // INSERT … SELECT … WHERE NOT EXISTS: the repeat-tap check costs no statement of its own (and uses the
      // leads_repeat_taps index). The casts type the parameters, which PostgreSQL would otherwise take as text.
      record: (lead, repeatSince) =>
        sql`INSERT INTO leads
              (id, profile, brand_name, service_id, title, telegram_id, full_name, username, created_at, tap_id,
               next_attempt_at)
            SELECT CAST(${lead.id} AS TEXT), CAST(${lead.profile} AS TEXT), CAST(${lead.brandName} AS TEXT),
              CAST(${lead.serviceId} AS TEXT), CAST(${lead.title} AS TEXT), CAST(${lead.contact.telegramId} AS BIGINT),
              CAST(${lead.contact.fullName} AS TEXT), CAST(${Option.getOrNull(lead.contact.username)} AS TEXT),
              CAST(${lead.createdAt} AS BIGINT), CAST(${lead.tapId} AS TEXT), CAST(${lead.createdAt} AS BIGINT)
            WHERE NOT EXISTS (SELECT 1 FROM leads WHERE telegram_id = ${lead.contact.telegramId}
              AND profile = ${lead.profile} AND service_id = ${lead.serviceId} AND created_at >= ${repeatSince})
            ON CONFLICT DO NOTHING
            RETURNING id`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(Returned))),
          Effect.map((rows) => rows.length > 0),
          storeOp("record")
        ),
      get: (leadId) => findLead(leadId).pipe(Effect.map(Option.map(toRecord)), storeOp("get")),
      markConfirmed: (leadId, at) =>
        sql`UPDATE leads SET confirmed_at = ${at} WHERE id = ${leadId} AND confirmed_at IS NULL`.pipe(
          Effect.asVoid,
          storeOp("markConfirmed")
        ),
      owedConfirmation: (tapId) =>
        findUnconfirmed(tapId).pipe(Effect.map(Option.map(toLead)), storeOp("owedConfirmation")),
      setOutcome: (leadId, outcome) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            outcome._tag === "Crm"
              ? sql`UPDATE leads SET outcome = 'crm', delivered_at = ${now} WHERE id = ${leadId} AND outcome IS NULL`
              : sql`UPDATE leads SET outcome = 'fallback', admin_message_id = ${outcome.messageId},
                  admin_html = ${outcome.html}, delivered_at = ${now} WHERE id = ${leadId} AND outcome IS NULL`
          ),
          Effect.asVoid,
          storeOp("setOutcome")
        ),
      recordAttempt: (leadId, attempt) =>
        sql`INSERT INTO delivery_attempts ${sql.insert({ lead_id: leadId, at: attempt.at, error: attempt.error })}`
          .pipe(
            Effect.asVoid,
            storeOp("recordAttempt")
          ),
      markHandled: (leadId, handled) =>
        sql`UPDATE leads SET handled_by = ${handled.by}, handled_at = ${handled.at}, wakes = wakes + 1,
              next_attempt_at = COALESCE(next_attempt_at, ${handled.at})
            WHERE id = ${leadId} AND handled_at IS NULL RETURNING id`.pipe(
          Effect.map((rows) => rows.length > 0),
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
      retryLater: (leadId, at) =>
        sql`UPDATE leads SET next_attempt_at = ${at}, retries = retries + 1 WHERE id = ${leadId}`.pipe(
          Effect.asVoid,
          storeOp("retryLater")
        ),
      settle: (leadId, wakes) =>
        sql`UPDATE leads SET next_attempt_at = NULL, retries = 0 WHERE id = ${leadId} AND wakes = ${wakes}
            RETURNING id`.pipe(Effect.map((rows) => rows.length > 0), storeOp("settle")),
      undelivered: findUndelivered(undefined).pipe(Effect.map(Arr.map(toRecord)), storeOp("undelivered")),
      awaitingEntry: findAwaitingEntry(undefined).pipe(Effect.map(Arr.map(toRecord)), storeOp("awaitingEntry"))
    })
  })
)
