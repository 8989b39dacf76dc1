import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/*
 * The managers' side, shipped as one migration: five changes for three features (the relay of managers' replies,
 * forum topics, ADMIN_NOTIFY=all's cards) and the first-reply time they measure. It stays one: a store that ran 0007
 * records its id, and the Migrator runs only ids above the last recorded, so a 0007 split into new ids would run
 * again on those stores (and fail on tables they have). Instead each change is a named step, in the order they ran.
 */

/**
 * Managers answer people through the bot: which admin-chat message concerns whom (telegram_id NULL once the person
 * was forgotten: a reply then says so), and their messages to relay, recorded before they are sent, due until settled.
 */
const relayTables = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const INTEGER = integer(sql)
    yield* sql`CREATE TABLE admin_messages (
      chat_id ${INTEGER} NOT NULL,
      message_id ${INTEGER} NOT NULL,
      telegram_id ${INTEGER},
      PRIMARY KEY (chat_id, message_id)
    )`
    yield* sql`CREATE INDEX admin_messages_person ON admin_messages (telegram_id)`
    yield* sql`CREATE TABLE relays (
      id TEXT PRIMARY KEY,
      admin_chat_id ${INTEGER} NOT NULL,
      admin_message_id ${INTEGER} NOT NULL,
      telegram_id ${INTEGER},
      text TEXT NOT NULL,
      media ${INTEGER} NOT NULL,
      signature TEXT,
      created_at ${INTEGER} NOT NULL,
      outcome TEXT CHECK (outcome IN ('delivered', 'refused')),
      next_attempt_at ${INTEGER},
      retries ${INTEGER} NOT NULL DEFAULT 0
    )`
    yield* sql`CREATE INDEX relays_person ON relays (telegram_id, created_at) WHERE outcome IS NULL`
    yield* sql`CREATE INDEX relays_due ON relays (next_attempt_at) WHERE next_attempt_at IS NOT NULL`
  })

/** When a manager's first message reached the lead's person (leadbot_first_reply_seconds; /stats later). */
const firstReplyTime = (sql: SqlClient.SqlClient) => sql`ALTER TABLE leads ADD COLUMN first_reply_at ${integer(sql)}`

/** A forum admin chat: each person's topic, one a person, and a topic one person's. */
const personTopics = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const INTEGER = integer(sql)
    yield* sql`CREATE TABLE person_topics (
      chat_id ${INTEGER} NOT NULL,
      telegram_id ${INTEGER} NOT NULL,
      thread_id ${INTEGER} NOT NULL,
      PRIMARY KEY (chat_id, telegram_id)
    )`
    yield* sql`CREATE UNIQUE INDEX person_topics_thread ON person_topics (chat_id, thread_id)`
  })

/** ADMIN_NOTIFY=all: the card a lead the CRM took gets in the admin chat. */
const leadCards = (sql: SqlClient.SqlClient) => sql`ALTER TABLE leads ADD COLUMN card_message_id ${integer(sql)}`

/** The relay's lease kind: a person's relays go out in order, from one replica at a time. */
const personLeases = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const INTEGER = integer(sql)
    yield* sql.onDialectOrElse({
      pg: () =>
        sql`ALTER TABLE leases DROP CONSTRAINT leases_kind_check`.pipe(
          Effect.zipRight(sql`ALTER TABLE leases ADD CONSTRAINT leases_kind_check
            CHECK (kind IN ('chat', 'lead', 'person'))`)
        ),
      // SQLite cannot change a CHECK: the table is made again (it holds nothing on SQLite, whose leases are
      // exclusive; the copy is for the record).
      orElse: () =>
        Effect.all([
          sql`CREATE TABLE leases_new (
            kind TEXT NOT NULL CHECK (kind IN ('chat', 'lead', 'person')),
            lease_key TEXT NOT NULL,
            holder TEXT NOT NULL,
            until ${INTEGER} NOT NULL,
            PRIMARY KEY (kind, lease_key)
          )`,
          sql`INSERT INTO leases_new SELECT kind, lease_key, holder, until FROM leases`,
          sql`DROP TABLE leases`,
          sql`ALTER TABLE leases_new RENAME TO leases`,
          sql`CREATE INDEX leases_holder ON leases (holder)`
        ], { discard: true })
    })
  })

/** The managers' side: the steps above, in the order they shipped. */
export const managersSide = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* relayTables(sql)
  yield* firstReplyTime(sql)
  yield* personTopics(sql)
  yield* leadCards(sql)
  yield* personLeases(sql)
})
