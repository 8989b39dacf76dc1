import { Option, Schema } from "effect"

import { Relay, RelayOutcome } from "../../lead/Lead.js"
import { decodeOnly } from "./rows.js"

/** A `relays` row as SQLite and PostgreSQL return it. */
const RelayRow = Schema.Struct({
  id: Relay.fields.id,
  admin_chat_id: Schema.Number,
  admin_message_id: Schema.Number,
  telegram_id: Schema.NullOr(Schema.Number),
  text: Relay.fields.text,
  media: Schema.Number,
  signature: Schema.NullOr(Schema.String),
  manager_id: Schema.NullOr(Schema.Number),
  manager_name: Schema.NullOr(Schema.String),
  html: Schema.NullOr(Schema.String),
  lead_id: Schema.NullOr(Schema.String),
  created_at: Schema.Number,
  outcome: Schema.NullOr(RelayOutcome),
  next_attempt_at: Schema.NullOr(Schema.Number),
  retries: Relay.fields.retries
})

/** A `relays` row as the relay it holds. */
export const RelayFromRow = decodeOnly(RelayRow, (row): Relay => ({
  id: row.id,
  adminChatId: row.admin_chat_id,
  adminMessageId: row.admin_message_id,
  telegramId: Option.fromNullable(row.telegram_id),
  text: row.text,
  media: row.media !== 0,
  signature: Option.fromNullable(row.signature),
  manager: row.manager_id !== null && row.manager_name !== null
    ? Option.some({ id: row.manager_id, name: row.manager_name })
    : Option.none(),
  html: Option.fromNullable(row.html),
  leadId: Option.fromNullable(row.lead_id),
  createdAt: row.created_at,
  outcome: Option.fromNullable(row.outcome),
  dueAt: Option.fromNullable(row.next_attempt_at),
  retries: row.retries
}))
