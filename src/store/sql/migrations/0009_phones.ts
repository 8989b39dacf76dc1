import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * The person's phone, when they give it: a follow-up of its own kind (shown as a Телефон line, sent to the CRM).
 */
export const phones = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE follow_ups ADD COLUMN phone ${integer(sql)} NOT NULL DEFAULT 0`
})
