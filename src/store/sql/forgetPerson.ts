import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { storeOp } from "./rows.js"

/** What was deleted for one person, table by table. */
export interface Forgotten {
  readonly leads: number
  readonly attempts: number
  readonly followUps: number
  readonly latestLead: number
  readonly leases: number
  readonly updates: number
  /** Managers' messages to them (relays), and the admin-chat messages about them (kept as "forgotten"). */
  readonly relays: number
  readonly adminMessages: number
  /** Their `/start`s (which links they opened, for /stats). */
  readonly starts: number
}

/**
 * Deletes everything the store keeps about one person (a request to delete their data): their leads with their
 * attempts and follow-ups, the pointer to their latest lead, their /start events, and the raw updates
 * they sent. One transaction.
 */
export const forgetPerson = (telegramId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const theirLeads = sql`SELECT id FROM leads WHERE telegram_id = ${telegramId}`
    return yield* sql.withTransaction(Effect.gen(function*() {
      const followUps = yield* sql`DELETE FROM follow_ups WHERE lead_id IN (${theirLeads}) RETURNING seq`
      const attempts = yield* sql`DELETE FROM delivery_attempts WHERE lead_id IN (${theirLeads}) RETURNING lead_id`
      const latestLead = yield* sql`DELETE FROM latest_leads WHERE telegram_id = ${telegramId} RETURNING lead_id`
      // A replica's lease on their chat (a private chat's id is the person's) or their leads holds nothing else.
      const leases = yield* sql`DELETE FROM leases WHERE (kind = 'chat' AND lease_key = ${String(telegramId)})
        OR (kind = 'person' AND lease_key = ${String(telegramId)})
        OR (kind = 'lead' AND lease_key IN (${theirLeads})) RETURNING lease_key`
      const relays = yield* sql`DELETE FROM relays WHERE telegram_id = ${telegramId} RETURNING id`
      // Their topic (in a forum admin chat) is theirs no more; Telegram keeps it until a manager deletes it.
      yield* sql`DELETE FROM person_topics WHERE telegram_id = ${telegramId}`
      // Which message concerned them goes; that the message concerned someone now forgotten stays (a manager's
      // reply to it is then told so, and nothing is sent).
      const adminMessages = yield* sql`UPDATE admin_messages SET telegram_id = NULL WHERE telegram_id = ${telegramId}
        RETURNING message_id`
      const leads = yield* sql`DELETE FROM leads WHERE telegram_id = ${telegramId} RETURNING id`
      const starts = yield* sql`DELETE FROM start_events WHERE telegram_id = ${telegramId} RETURNING at`
      const field = (path: string) =>
        sql.onDialectOrElse({
          pg: () => sql`(payload::jsonb #>> ${`{${path.split(".").join(",")}}`})::bigint`,
          orElse: () => sql`json_extract(payload, ${`$.${path}`})`
        })
      const updates = yield* sql`DELETE FROM updates WHERE ${telegramId} IN (
        ${field("message.from.id")}, ${field("message.chat.id")},
        ${field("callback_query.from.id")}, ${field("edited_message.from.id")}
      ) RETURNING update_id`
      return {
        leads: leads.length,
        attempts: attempts.length,
        followUps: followUps.length,
        latestLead: latestLead.length,
        leases: leases.length,
        updates: updates.length,
        relays: relays.length,
        adminMessages: adminMessages.length,
        starts: starts.length
      } satisfies Forgotten
    }))
  }).pipe(storeOp("forgetPerson"))
