import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * A person is confirmed only after their lead is recorded: a lead remembers its tap, and whether its person has
 * seen the confirmation (one a crash interrupted is still owed after the restart).
 */
export const confirmationOwed = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE leads ADD COLUMN tap_id TEXT`
  yield* sql`ALTER TABLE leads ADD COLUMN confirmed_at ${INTEGER}`
  // Leads from before this migration were confirmed as they were recorded (or the chance has passed).
  yield* sql`UPDATE leads SET confirmed_at = created_at`
  // Only the unconfirmed: a lead leaves the index once its person has seen the confirmation.
  yield* sql`CREATE INDEX leads_unconfirmed ON leads (tap_id) WHERE confirmed_at IS NULL`
})
