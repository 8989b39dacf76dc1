import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * One attempt a round: the CRM's error, and the admin chat's when the fallback failed too (until now, a second
 * row). Rows kept from before stay as they were.
 */
export const attemptRounds = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE delivery_attempts ADD COLUMN admin_error TEXT`
})
