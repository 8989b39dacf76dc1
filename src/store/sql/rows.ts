import { Effect, Option, ParseResult, Schema } from "effect"

import { CrmRefFromJson } from "../../lead/CrmRef.js"
import {
  AppliedVia,
  DeliveryAttempt,
  FollowUp,
  Lead,
  type LeadRecord,
  Media,
  type Outcome,
  OutcomeKind,
  outcomeKinds
} from "../../lead/Lead.js"
import { StoreError } from "../StoreError.js"

/** A domain field stored in a column of another name. */
export const column = <S extends Schema.Schema.Any, K extends string>(schema: S, key: K) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/** A `leads` row as SQLite and PostgreSQL return it; decoded, never trusted. Its column types are the domain's. */
export const LeadRow = Schema.Struct({
  id: Lead.fields.id,
  profile: Lead.fields.profile,
  brand_name: Lead.fields.brandName,
  service_id: Lead.fields.serviceId,
  title: Lead.fields.title,
  telegram_id: Schema.Number,
  full_name: Schema.String,
  username: Schema.NullOr(Schema.String),
  created_at: Lead.fields.createdAt,
  outcome: Schema.NullOr(OutcomeKind),
  admin_chat_id: Schema.NullOr(Schema.Number),
  admin_message_id: Schema.NullOr(Schema.Number),
  admin_html: Schema.NullOr(Schema.String),
  handled_by: Schema.NullOr(Schema.String),
  handled_at: Schema.NullOr(Schema.Number),
  tap_id: Schema.NullOr(Lead.fields.tapId),
  handled_shown_at: Schema.NullOr(Schema.Number),
  next_attempt_at: Schema.NullOr(Schema.Number),
  retries: Schema.Number,
  wakes: Schema.Number,
  card_message_id: Schema.NullOr(Schema.Number),
  campaign: Schema.NullOr(Schema.String),
  taken_by: Schema.NullOr(Schema.String),
  taken_by_id: Schema.NullOr(Schema.Number),
  taken_at: Schema.NullOr(Schema.Number),
  taken_shown_at: Schema.NullOr(Schema.Number),
  reminders_sent: Schema.Number,
  next_reminder_at: Schema.NullOr(Schema.Number),
  first_reply_at: Schema.NullOr(Schema.Number),
  crm_ref: Schema.NullOr(Schema.String),
  crm_maybe: Schema.Number,
  reconcile_at: Schema.NullOr(Schema.Number),
  reconcile_retries: Schema.Number,
  reconciled_at: Schema.NullOr(Schema.Number),
  reconciled_shown_at: Schema.NullOr(Schema.Number)
})
type LeadRow = typeof LeadRow.Type

const leadOf = (row: LeadRow): Lead => ({
  id: row.id,
  profile: row.profile,
  brandName: row.brand_name,
  serviceId: row.service_id,
  title: row.title,
  contact: { telegramId: row.telegram_id, fullName: row.full_name, username: Option.fromNullable(row.username) },
  createdAt: row.created_at,
  tapId: row.tap_id ?? "",
  campaign: Option.fromNullable(row.campaign)
})

/** A lead's CRM ref as its column holds it (JSON the store wrote itself, from a CrmRef). */
const decodeRef = Schema.decodeSync(CrmRefFromJson)

const outcomeOf = (row: LeadRow): Option.Option<Outcome> =>
  row.outcome === outcomeKinds.Crm
    ? Option.some({ _tag: "Crm" })
    : row.outcome === outcomeKinds.Fallback && row.admin_message_id !== null && row.admin_html !== null
    ? Option.some({
      _tag: "Fallback",
      chatId: Option.fromNullable(row.admin_chat_id),
      messageId: row.admin_message_id,
      html: row.admin_html
    })
    : Option.none()

/**
 * Rows are written by SQL statements, never encoded from the domain: a decode-only transformation. The row is checked
 * column by column; the value built from it is typed by `decode` and not checked again (a guard that accepts it).
 */
export const decodeOnly = <From extends Schema.Schema.Any, A>(
  from: From,
  decode: (row: Schema.Schema.Type<From>) => A
): Schema.Schema<A, Schema.Schema.Encoded<From>, Schema.Schema.Context<From>> =>
  Schema.transformOrFail(from, Schema.declare((_: unknown): _ is A => true), {
    strict: true,
    decode: (row) => ParseResult.succeed(decode(row)),
    encode: (value, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, value, "rows are written by SQL"))
  })

/** A `leads` row as the lead it holds. */
export const LeadFromRow = decodeOnly(LeadRow, leadOf)

/** A `delivery_attempts` row as the attempt it holds. */
const AttemptFromRow = Schema.Struct({
  at: DeliveryAttempt.fields.at,
  error: DeliveryAttempt.fields.error,
  adminError: column(Schema.OptionFromNullOr(Schema.String), "admin_error")
})

/** A lead's row with its failed attempts, in order, as a JSON array (one statement for both). */
const LeadWithAttemptsRow = Schema.Struct({
  ...LeadRow.fields,
  attempts: Schema.parseJson(Schema.Array(AttemptFromRow))
})

/** A lead's row with its attempts as the outbox's record of it. */
export const LeadRecordFromRow = decodeOnly(LeadWithAttemptsRow, (row): LeadRecord => ({
  lead: leadOf(row),
  outcome: outcomeOf(row),
  attempts: row.attempts,
  handled: row.handled_by !== null && row.handled_at !== null
    ? Option.some({ by: row.handled_by, at: row.handled_at })
    : Option.none(),
  handledShown: row.handled_shown_at !== null,
  card: Option.fromNullable(row.card_message_id),
  taken: row.taken_by !== null && row.taken_by_id !== null && row.taken_at !== null
    ? Option.some({ by: row.taken_by, byId: row.taken_by_id, at: row.taken_at })
    : Option.none(),
  takenShown: row.taken_shown_at !== null,
  reminders: { sent: row.reminders_sent, nextAt: Option.fromNullable(row.next_reminder_at) },
  answered: row.first_reply_at !== null,
  crm: {
    ref: row.crm_ref === null ? Option.none() : Option.some(decodeRef(row.crm_ref)),
    maybeThere: row.crm_maybe !== 0
  },
  reconcile: {
    dueAt: Option.fromNullable(row.reconcile_at),
    retries: row.reconcile_retries,
    reconciledAt: Option.fromNullable(row.reconciled_at),
    shown: row.reconciled_shown_at !== null
  },
  work: { dueAt: Option.fromNullable(row.next_attempt_at), retries: row.retries, wakes: row.wakes }
}))

/** A `follow_ups` row as the follow-up it holds (its `applied_via` is read apart). */
export const FollowUpFromRow = Schema.Struct({
  leadId: column(FollowUp.fields.leadId, "lead_id"),
  seq: FollowUp.fields.seq,
  chatId: column(FollowUp.fields.chatId, "chat_id"),
  messageId: column(FollowUp.fields.messageId, "message_id"),
  media: Schema.OptionFromNullOr(Media),
  text: FollowUp.fields.text,
  phone: Schema.transform(Schema.Number, Schema.Boolean, {
    strict: true,
    decode: (n) => n !== 0,
    encode: (b) => (b ? 1 : 0)
  })
})

/** How a follow-up was applied, as its column holds it. */
export const AppliedViaColumn = Schema.NullOr(AppliedVia)

/** The id a write's `RETURNING id` gives back, for each row it wrote. */
export const ReturnedIds = Schema.Array(Schema.Struct({ id: Schema.String }))

/** A write's `RETURNING id`, decoded: true when it wrote a row. */
export const wroteOne = <E, R>(rows: Effect.Effect<ReadonlyArray<unknown>, E, R>) =>
  rows.pipe(Effect.flatMap(Schema.decodeUnknown(ReturnedIds)), Effect.map((ids) => ids.length > 0))

/** Any SQL or decode failure becomes a StoreError naming the operation. */
export const storeOp =
  (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, StoreError, R> =>
    Effect.mapError(effect, (cause) => new StoreError({ operation, cause }))
