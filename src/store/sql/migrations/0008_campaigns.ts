import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer, pgRowId } from "./columns.js"

/**
 * Where leads come from: the campaign each lead was tapped under, and people's /start events (for the campaign in
 * force at a tap, and /stats); /stats reads a period of leads and /starts from indexes that hold what it counts.
 */
export const campaigns = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE leads ADD COLUMN campaign TEXT`
  // Covering: /stats reads a period's leads from the index alone.
  yield* sql`CREATE INDEX leads_stats ON leads (created_at, profile, campaign, outcome, first_reply_at, telegram_id)`
  // PostgreSQL has no rowid to tell two /starts of one millisecond apart: an id does.
  const eventId = pgRowId(sql)
  yield* sql`CREATE TABLE start_events (
      ${eventId}
      telegram_id ${INTEGER} NOT NULL,
      brand TEXT,
      campaign TEXT,
      at ${INTEGER} NOT NULL
    )`
  yield* sql`CREATE INDEX start_events_person ON start_events (telegram_id, at)`
  yield* sql`CREATE INDEX start_events_at ON start_events (at, brand, campaign, telegram_id)`
})
