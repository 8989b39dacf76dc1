import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"
import { leaseKinds } from "./leaseKinds.js"

/**
 * Reconciliation (a fallback lead offered to its CRM again): when next and after how many failures, when the CRM took
 * it and when its message said so; when each follow-up came (it goes with the lead); a lease kind of its own. The
 * stats index gains `reconciled_at` (a lead reconciled counts as the CRM's), so that /stats still reads it alone.
 */
export const reconcile = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE leads ADD COLUMN reconcile_at ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN reconcile_retries ${INTEGER} NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE leads ADD COLUMN reconciled_at ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN reconciled_shown_at ${INTEGER}`
  yield* sql`ALTER TABLE follow_ups ADD COLUMN created_at ${INTEGER}`
  yield* sql`CREATE INDEX leads_reconcile ON leads (created_at) WHERE reconcile_at IS NOT NULL`
  yield* sql`DROP INDEX leads_stats`
  yield* sql`CREATE INDEX leads_stats ON leads (created_at, profile, campaign, outcome, first_reply_at, telegram_id,
    reminders_sent, taken_by_id, first_reply_by, reconciled_at)`
  yield* leaseKinds(sql, ["chat", "lead", "person", "erasure", "reminder", "crm_note", "reconcile"])
})
