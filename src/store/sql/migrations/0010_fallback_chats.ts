import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * The chat a fallback was posted in: a brand's chat may change while its leads' messages stay where they are.
 */
export const fallbackChats = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE leads ADD COLUMN admin_chat_id ${integer(sql)}`
})
