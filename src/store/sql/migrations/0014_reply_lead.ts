import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Which lead a message in a managers' chat is about (a person may have several), and so which lead a manager's reply
 * to it answers: the one it takes, whose first answer it is, whose CRM gets its note, whose service a template names.
 */
export const replyLead = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE admin_messages ADD COLUMN lead_id TEXT`
  yield* sql`ALTER TABLE relays ADD COLUMN lead_id TEXT`
})
