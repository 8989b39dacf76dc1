import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * One lease primitive for chats and leads alike (store/sql/SqlLeases.ts): a row a lease, with the database's
 * clock. The claims of 0003 move into it and their columns go.
 */
export const leases = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`CREATE TABLE leases (
      kind TEXT NOT NULL CHECK (kind IN ('chat', 'lead')),
      lease_key TEXT NOT NULL,
      holder TEXT NOT NULL,
      until ${INTEGER} NOT NULL,
      PRIMARY KEY (kind, lease_key)
    )`
  yield* sql`CREATE INDEX leases_holder ON leases (holder)`
  yield* sql`INSERT INTO leases (kind, lease_key, holder, until)
      SELECT 'chat', CAST(chat_id AS TEXT), claimed_by, claim_until FROM chat_claims`
  yield* sql`INSERT INTO leases (kind, lease_key, holder, until)
      SELECT 'lead', id, claimed_by, claim_until FROM leads WHERE claimed_by IS NOT NULL AND claim_until IS NOT NULL`
  yield* sql`DROP TABLE chat_claims`
  yield* sql`DROP INDEX leads_claimed`
  yield* sql`ALTER TABLE leads DROP COLUMN claimed_by`
  yield* sql`ALTER TABLE leads DROP COLUMN claim_until`
  // Delivery looks for follow-ups only in a lead that was woken: 0003 counted none for those queued before it.
  yield* sql`UPDATE leads SET wakes = wakes + 1
      WHERE EXISTS (SELECT 1 FROM follow_ups f WHERE f.lead_id = leads.id AND f.applied_via IS NULL)`
})
