import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * Several replicas on one store: a chat's updates and a lead's delivery are each claimed by one replica at a
 * time, for a lease that expires if the replica dies. A lead has work while next_attempt_at is set; `wakes`
 * counts the work added to it (a follow-up, a manager's mark), so a claim is let go only when nothing new came.
 */
export const replicaClaims = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE updates ADD COLUMN chat_id ${INTEGER}`
  // Updates recorded before this migration: each its own "chat" (they are handled in order at start anyway).
  yield* sql`UPDATE updates SET chat_id = -update_id`
  yield* sql`CREATE INDEX updates_unhandled_chats ON updates (chat_id, update_id) WHERE handled_at IS NULL`
  yield* sql`CREATE TABLE chat_claims (
      chat_id ${INTEGER} PRIMARY KEY,
      claimed_by TEXT NOT NULL,
      claim_until ${INTEGER} NOT NULL
    )`
  yield* sql`ALTER TABLE leads ADD COLUMN claimed_by TEXT`
  yield* sql`ALTER TABLE leads ADD COLUMN claim_until ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN next_attempt_at ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN retries ${INTEGER} NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE leads ADD COLUMN wakes ${INTEGER} NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE leads ADD COLUMN handled_shown_at ${INTEGER}`
  yield* sql`UPDATE leads SET handled_shown_at = handled_at`
  yield* sql`UPDATE leads SET next_attempt_at = created_at WHERE outcome IS NULL
      OR EXISTS (SELECT 1 FROM follow_ups f WHERE f.lead_id = leads.id AND f.applied_via IS NULL)`
  yield* sql`CREATE INDEX leads_due ON leads (next_attempt_at) WHERE next_attempt_at IS NOT NULL`
  yield* sql`CREATE INDEX leads_claimed ON leads (claimed_by) WHERE claimed_by IS NOT NULL`
})
