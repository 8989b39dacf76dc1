import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer, pgRowId } from "./columns.js"
import { leaseKinds } from "./leaseKinds.js"

/**
 * Lawful by default (152-FZ): the consent log (who, which text by its hash, when, how; a withdrawal added, never a
 * row deleted), the texts shown, the step that asks (what it needs to go on, gone after 24 h), and the erasures'
 * outbox (the managers' chats cleaned after a person's data was deleted), with a lease kind of its own.
 */
export const consent = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`CREATE TABLE consent_texts (
    sha256 TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    text TEXT NOT NULL,
    first_shown_at ${INTEGER} NOT NULL
  )`
  yield* sql`CREATE TABLE consents (
    ${pgRowId(sql)}
    telegram_id ${INTEGER} NOT NULL,
    version TEXT NOT NULL,
    text_sha256 TEXT NOT NULL REFERENCES consent_texts (sha256),
    accepted_at ${INTEGER} NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('button')),
    withdrawn_at ${INTEGER}
  )`
  // One standing accept a person, version and text: a repeated tap records nothing more.
  yield* sql`CREATE UNIQUE INDEX consents_standing ON consents (telegram_id, version, text_sha256)
    WHERE withdrawn_at IS NULL`
  yield* sql`CREATE INDEX consents_person ON consents (telegram_id, version)`
  yield* sql`CREATE INDEX consents_accepted ON consents (accepted_at)`
  yield* sql`CREATE TABLE consent_steps (
    telegram_id ${INTEGER} PRIMARY KEY,
    start_payload TEXT,
    at ${INTEGER} NOT NULL
  )`
  yield* sql`CREATE INDEX consent_steps_at ON consent_steps (at)`
  yield* sql`CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL CHECK (requested_by IN ('person', 'operator', 'delivery')),
    created_at ${INTEGER} NOT NULL,
    next_attempt_at ${INTEGER},
    retries ${INTEGER} NOT NULL DEFAULT 0
  )`
  yield* sql`CREATE INDEX erasures_due ON erasures (next_attempt_at) WHERE next_attempt_at IS NOT NULL`
  yield* sql`CREATE TABLE erasure_steps (
    erasure_id TEXT NOT NULL REFERENCES erasures (id),
    seq ${INTEGER} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('edit', 'topic', 'notice')),
    chat_id ${INTEGER} NOT NULL,
    target_id ${INTEGER},
    text TEXT NOT NULL,
    done_at ${INTEGER},
    PRIMARY KEY (erasure_id, seq)
  )`
  yield* leaseKinds(sql, ["chat", "lead", "person", "erasure"])
})
