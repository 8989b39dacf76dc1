import { Migrator, SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Schema migrations, in order, for SQLite and PostgreSQL alike. Never edit one that has shipped: add the next.
 * Where the dialects differ: PostgreSQL's integers are 32-bit unless BIGINT (Telegram ids and times in ms are not),
 * and it has no rowid to keep attempts in order, so an id does.
 */
/** A 64-bit integer column: SQLite's INTEGER is one, PostgreSQL's is BIGINT. */
const integer = (sql: SqlClient.SqlClient) =>
  sql.literal(sql.onDialectOrElse({ pg: () => "BIGINT", orElse: () => "INTEGER" }))

export const migrations = {
  "0001_outbox_inbox": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const INTEGER = integer(sql)
    const attemptId = sql.literal(sql.onDialectOrElse({ pg: () => "id BIGSERIAL PRIMARY KEY,", orElse: () => "" }))
    yield* sql`CREATE TABLE updates (
      update_id ${INTEGER} PRIMARY KEY,
      payload TEXT NOT NULL,
      received_at ${INTEGER} NOT NULL,
      handled_at ${INTEGER}
    )`
    yield* sql`CREATE INDEX updates_unhandled ON updates (update_id) WHERE handled_at IS NULL`
    yield* sql`CREATE TABLE leads (
      id TEXT PRIMARY KEY,
      profile TEXT NOT NULL,
      brand_name TEXT NOT NULL,
      service_id TEXT NOT NULL,
      title TEXT NOT NULL,
      telegram_id ${INTEGER} NOT NULL,
      full_name TEXT NOT NULL,
      username TEXT,
      created_at ${INTEGER} NOT NULL,
      outcome TEXT CHECK (outcome IN ('crm', 'fallback')),
      admin_message_id ${INTEGER},
      admin_html TEXT,
      delivered_at ${INTEGER},
      handled_by TEXT,
      handled_at ${INTEGER}
    )`
    yield* sql`CREATE INDEX leads_pending ON leads (created_at) WHERE outcome IS NULL`
    yield* sql`CREATE INDEX leads_repeat_taps ON leads (telegram_id, profile, service_id, created_at)`
    yield* sql`CREATE TABLE delivery_attempts (
      ${attemptId}
      lead_id TEXT NOT NULL REFERENCES leads (id),
      at ${INTEGER} NOT NULL,
      error TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX delivery_attempts_lead ON delivery_attempts (lead_id)`
    yield* sql`CREATE TABLE latest_leads (
      telegram_id ${INTEGER} PRIMARY KEY,
      lead_id TEXT NOT NULL REFERENCES leads (id)
    )`
    yield* sql`CREATE TABLE follow_ups (
      lead_id TEXT NOT NULL REFERENCES leads (id),
      seq ${INTEGER} NOT NULL,
      chat_id ${INTEGER} NOT NULL,
      message_id ${INTEGER} NOT NULL,
      media TEXT,
      text TEXT NOT NULL,
      applied_via TEXT CHECK (applied_via IN ('edit', 'message')),
      PRIMARY KEY (lead_id, seq)
    )`
    // A message is one follow-up, even if its update is handled twice.
    yield* sql`CREATE UNIQUE INDEX follow_ups_message ON follow_ups (chat_id, message_id)`
  }),
  "0002_confirmation_owed": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const INTEGER = integer(sql)
    yield* sql`ALTER TABLE leads ADD COLUMN tap_id TEXT`
    yield* sql`ALTER TABLE leads ADD COLUMN confirmed_at ${INTEGER}`
    // Leads from before this migration were confirmed as they were recorded (or the chance has passed).
    yield* sql`UPDATE leads SET confirmed_at = created_at`
    // Only the unconfirmed: a lead leaves the index once its person has seen the confirmation.
    yield* sql`CREATE INDEX leads_unconfirmed ON leads (tap_id) WHERE confirmed_at IS NULL`
  }),
  // Several replicas on one store: a chat's updates and a lead's delivery are each claimed by one replica at a
  // time, for a lease that expires if the replica dies. A lead has work while next_attempt_at is set; `wakes`
  // counts the work added to it (a follow-up, a manager's mark), so a claim is let go only when nothing new came.
  "0003_replica_claims": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const INTEGER = integer(sql)
    yield* sql`ALTER TABLE updates ADD COLUMN chat_id ${INTEGER}`
    // Updates recorded before this migration: each its own "chat" (they are handled in order at start anyway).
    yield* sql`UPDATE updates SET chat_id = -update_id`
    yield* sql`CREATE INDEX updates_unhandled_chats ON updates (chat_id, update_id) WHERE handled_at IS NULL`
    yield* sql`CREATE TABLE chat_claims (
      chat_id ${INTEGER} PRIMARY KEY,
      claimed_by TEXT NOT NULL,
      claim_until ${INTEGER} NOT NULL
    )`
    yield* sql`ALTER TABLE leads ADD COLUMN claimed_by TEXT`
    yield* sql`ALTER TABLE leads ADD COLUMN claim_until ${INTEGER}`
    yield* sql`ALTER TABLE leads ADD COLUMN next_attempt_at ${INTEGER}`
    yield* sql`ALTER TABLE leads ADD COLUMN retries ${INTEGER} NOT NULL DEFAULT 0`
    yield* sql`ALTER TABLE leads ADD COLUMN wakes ${INTEGER} NOT NULL DEFAULT 0`
    yield* sql`ALTER TABLE leads ADD COLUMN handled_shown_at ${INTEGER}`
    yield* sql`UPDATE leads SET handled_shown_at = handled_at`
    yield* sql`UPDATE leads SET next_attempt_at = created_at WHERE outcome IS NULL
      OR EXISTS (SELECT 1 FROM follow_ups f WHERE f.lead_id = leads.id AND f.applied_via IS NULL)`
    yield* sql`CREATE INDEX leads_due ON leads (next_attempt_at) WHERE next_attempt_at IS NOT NULL`
    yield* sql`CREATE INDEX leads_claimed ON leads (claimed_by) WHERE claimed_by IS NOT NULL`
  }),
  // One lead per tap, kept by the database: two replicas handling the same tap at once (one of them stalled past
  // its claim) cannot both pass the repeat-tap check of the INSERT.
  "0004_one_lead_per_tap": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE UNIQUE INDEX leads_tap ON leads (tap_id)`
  }),
  // One lease primitive for chats and leads alike (store/sql/SqlLeases.ts): a row a lease, with the database's
  // clock. The claims of 0003 move into it and their columns go.
  "0005_leases": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const INTEGER = integer(sql)
    yield* sql`CREATE TABLE leases (
      kind TEXT NOT NULL CHECK (kind IN ('chat', 'lead')),
      lease_key TEXT NOT NULL,
      holder TEXT NOT NULL,
      until ${INTEGER} NOT NULL,
      PRIMARY KEY (kind, lease_key)
    )`
    yield* sql`CREATE INDEX leases_holder ON leases (holder)`
    yield* sql`INSERT INTO leases (kind, lease_key, holder, until)
      SELECT 'chat', CAST(chat_id AS TEXT), claimed_by, claim_until FROM chat_claims`
    yield* sql`INSERT INTO leases (kind, lease_key, holder, until)
      SELECT 'lead', id, claimed_by, claim_until FROM leads WHERE claimed_by IS NOT NULL AND claim_until IS NOT NULL`
    yield* sql`DROP TABLE chat_claims`
    yield* sql`DROP INDEX leads_claimed`
    yield* sql`ALTER TABLE leads DROP COLUMN claimed_by`
    yield* sql`ALTER TABLE leads DROP COLUMN claim_until`
    // Delivery looks for follow-ups only in a lead that was woken: 0003 counted none for those queued before it.
    yield* sql`UPDATE leads SET wakes = wakes + 1
      WHERE EXISTS (SELECT 1 FROM follow_ups f WHERE f.lead_id = leads.id AND f.applied_via IS NULL)`
  }),
  // One attempt a round: the CRM's error, and the admin chat's when the fallback failed too (until now, a second
  // row). Rows kept from before stay as they were.
  "0006_attempt_rounds": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE delivery_attempts ADD COLUMN admin_error TEXT`
  }),
  // Managers answer people through the bot: which admin-chat message concerns whom (telegram_id NULL once the
  // person was forgotten: a reply then says so), their messages to relay, and a lease kind for a person's relays.
  "0007_relays": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
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
    // When a manager's first message reached the lead's person (leadbot_first_reply_seconds; /stats later).
    yield* sql`ALTER TABLE leads ADD COLUMN first_reply_at ${INTEGER}`
    // A forum admin chat: each person's topic.
    yield* sql`CREATE TABLE person_topics (
      chat_id ${INTEGER} NOT NULL,
      telegram_id ${INTEGER} NOT NULL,
      thread_id ${INTEGER} NOT NULL,
      PRIMARY KEY (chat_id, telegram_id)
    )`
    yield* sql`CREATE UNIQUE INDEX person_topics_thread ON person_topics (chat_id, thread_id)`
    // ADMIN_NOTIFY=all: the card a lead the CRM took gets in the admin chat.
    yield* sql`ALTER TABLE leads ADD COLUMN card_message_id ${INTEGER}`
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
  }),
  // Where leads come from: the campaign each lead was tapped under, and people's /start events (for the campaign in
  // force at a tap, and /stats); /stats reads a period of leads and /starts from indexes that hold what it counts.
  "0008_campaigns": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const INTEGER = integer(sql)
    yield* sql`ALTER TABLE leads ADD COLUMN campaign TEXT`
    // Covering: /stats reads a period's leads from the index alone.
    yield* sql`CREATE INDEX leads_stats ON leads (created_at, profile, campaign, outcome, first_reply_at, telegram_id)`
    // PostgreSQL has no rowid to tell two /starts of one millisecond apart: an id does.
    const eventId = sql.literal(sql.onDialectOrElse({ pg: () => "id BIGSERIAL PRIMARY KEY,", orElse: () => "" }))
    yield* sql`CREATE TABLE start_events (
      ${eventId}
      telegram_id ${INTEGER} NOT NULL,
      brand TEXT,
      campaign TEXT,
      at ${INTEGER} NOT NULL
    )`
    yield* sql`CREATE INDEX start_events_person ON start_events (telegram_id, at)`
    yield* sql`CREATE INDEX start_events_at ON start_events (at, brand, campaign, telegram_id)`
  }),
  // The person's phone, when they give it: a follow-up of its own kind (shown as a Телефон line, sent to the CRM).
  "0009_phones": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE follow_ups ADD COLUMN phone ${integer(sql)} NOT NULL DEFAULT 0`
  }),
  // The chat a fallback was posted in: a brand's chat may change while its leads' messages stay where they are.
  "0010_fallback_chats": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE leads ADD COLUMN admin_chat_id ${integer(sql)}`
  })
}

/** Runs what has not run yet, in order; on PostgreSQL the Migrator locks its table meanwhile. */
export const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations) })
