import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer, pgRowId } from "./columns.js"

/**
 * The first schema: the inbox of updates (recorded before they are handled, keyed by update_id), the outbox of
 * leads with their delivery attempts, each person's latest lead, and the follow-ups that attach to it.
 */
export const outboxAndInbox = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  const attemptId = pgRowId(sql)
  yield* sql`CREATE TABLE updates (
      update_id ${INTEGER} PRIMARY KEY,
      payload TEXT NOT NULL,
      received_at ${INTEGER} NOT NULL,
      handled_at ${INTEGER}
    )`
  yield* sql`CREATE INDEX updates_unhandled ON updates (update_id) WHERE handled_at IS NULL`
  yield* sql`CREATE TABLE leads (
      id TEXT PRIMARY KEY,
      profile TEXT NOT NULL,
      brand_name TEXT NOT NULL,
      service_id TEXT NOT NULL,
      title TEXT NOT NULL,
      telegram_id ${INTEGER} NOT NULL,
      full_name TEXT NOT NULL,
      username TEXT,
      created_at ${INTEGER} NOT NULL,
      outcome TEXT CHECK (outcome IN ('crm', 'fallback')),
      admin_message_id ${INTEGER},
      admin_html TEXT,
      delivered_at ${INTEGER},
      handled_by TEXT,
      handled_at ${INTEGER}
    )`
  yield* sql`CREATE INDEX leads_pending ON leads (created_at) WHERE outcome IS NULL`
  yield* sql`CREATE INDEX leads_repeat_taps ON leads (telegram_id, profile, service_id, created_at)`
  yield* sql`CREATE TABLE delivery_attempts (
      ${attemptId}
      lead_id TEXT NOT NULL REFERENCES leads (id),
      at ${INTEGER} NOT NULL,
      error TEXT NOT NULL
    )`
  yield* sql`CREATE INDEX delivery_attempts_lead ON delivery_attempts (lead_id)`
  yield* sql`CREATE TABLE latest_leads (
      telegram_id ${INTEGER} PRIMARY KEY,
      lead_id TEXT NOT NULL REFERENCES leads (id)
    )`
  yield* sql`CREATE TABLE follow_ups (
      lead_id TEXT NOT NULL REFERENCES leads (id),
      seq ${INTEGER} NOT NULL,
      chat_id ${INTEGER} NOT NULL,
      message_id ${INTEGER} NOT NULL,
      media TEXT,
      text TEXT NOT NULL,
      applied_via TEXT CHECK (applied_via IN ('edit', 'message')),
      PRIMARY KEY (lead_id, seq)
    )`
  // A message is one follow-up, even if its update is handled twice.
  yield* sql`CREATE UNIQUE INDEX follow_ups_message ON follow_ups (chat_id, message_id)`
})
