import { Effect, Schema } from "effect"

import { StoreError } from "../StoreError.js"

/** Rows as SQLite returns them; decoded, never trusted. */
export const LeadRow = Schema.Struct({
  id: Schema.String,
  profile: Schema.String,
  brand_name: Schema.String,
  service_id: Schema.String,
  title: Schema.String,
  telegram_id: Schema.Number,
  full_name: Schema.String,
  username: Schema.NullOr(Schema.String),
  created_at: Schema.Number,
  outcome: Schema.NullOr(Schema.Literal("crm", "fallback")),
  admin_message_id: Schema.NullOr(Schema.Number),
  admin_html: Schema.NullOr(Schema.String),
  handled_by: Schema.NullOr(Schema.String),
  handled_at: Schema.NullOr(Schema.Number),
  tap_id: Schema.NullOr(Schema.String),
  handled_shown_at: Schema.NullOr(Schema.Number),
  next_attempt_at: Schema.NullOr(Schema.Number),
  retries: Schema.Number,
  wakes: Schema.Number
})
export type LeadRow = typeof LeadRow.Type

/** A lead's row with its failed attempts, in order, as a JSON array (one statement for both). */
export const LeadWithAttemptsRow = Schema.Struct({
  ...LeadRow.fields,
  attempts: Schema.parseJson(Schema.Array(Schema.Struct({ at: Schema.Number, error: Schema.String })))
})
export type LeadWithAttemptsRow = typeof LeadWithAttemptsRow.Type

export const FollowUpRow = Schema.Struct({
  lead_id: Schema.String,
  seq: Schema.Number,
  chat_id: Schema.Number,
  message_id: Schema.Number,
  media: Schema.NullOr(Schema.Literal("photo", "document", "video", "voice")),
  text: Schema.String,
  applied_via: Schema.NullOr(Schema.Literal("edit", "message"))
})

/** Any SQL or decode failure becomes a StoreError naming the operation. */
export const storeOp =
  (operation: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, StoreError, R> =>
    Effect.mapError(effect, (cause) => new StoreError({ operation, cause }))
