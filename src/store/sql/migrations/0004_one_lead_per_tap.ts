import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * One lead per tap, kept by the database: two replicas handling the same tap at once (one of them stalled past
 * its claim) cannot both pass the repeat-tap check of the INSERT.
 */
export const oneLeadPerTap = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE UNIQUE INDEX leads_tap ON leads (tap_id)`
})
