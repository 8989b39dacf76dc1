import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"
import { leaseKinds } from "./leaseKinds.js"

/**
 * Speed to the first answer: who took a lead (and whether its message shows it yet), who answered first, the
 * reminders of a lead nobody took or answered (how many were sent, when the next is due, a lease kind of their own),
 * and what a manager's relay is: who wrote it, and a template's text when it is one.
 */
export const speed = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE leads ADD COLUMN taken_by TEXT`
  yield* sql`ALTER TABLE leads ADD COLUMN taken_by_id ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN taken_at ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN taken_shown_at ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN first_reply_by ${INTEGER}`
  yield* sql`ALTER TABLE leads ADD COLUMN reminders_sent ${INTEGER} NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE leads ADD COLUMN next_reminder_at ${INTEGER}`
  yield* sql`CREATE INDEX leads_reminders ON leads (next_reminder_at) WHERE next_reminder_at IS NOT NULL`
  // /stats reads the period's leads from the index alone, reminders and who took or answered them included.
  yield* sql`DROP INDEX leads_stats`
  yield* sql`CREATE INDEX leads_stats ON leads
    (created_at, profile, campaign, outcome, first_reply_at, telegram_id, reminders_sent, taken_by_id, first_reply_by)`
  yield* sql`ALTER TABLE relays ADD COLUMN manager_id ${INTEGER}`
  yield* sql`ALTER TABLE relays ADD COLUMN manager_name TEXT`
  yield* sql`ALTER TABLE relays ADD COLUMN html TEXT`
  yield* leaseKinds(sql, ["chat", "lead", "person", "erasure", "reminder"])
})
