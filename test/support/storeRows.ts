import { join } from "node:path"

import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"

import type { StoreSetting } from "../../src/config/AppConfig.js"
import { openDatabase } from "../../src/store/DatabaseLive.js"

/** A bot's store, as an end-to-end test names it: its DATA_DIR (SQLite) or its DATABASE_URL (PostgreSQL). */
export type StoreAt = { readonly dataDir: string } | { readonly url: string }

const settingOf = (store: StoreAt): StoreSetting =>
  "url" in store
    ? { _tag: "Postgres", url: Redacted.make(store.url) }
    : { _tag: "Sqlite", filename: join(store.dataDir, "leads.sqlite"), variable: "DATA_DIR" }

/**
 * The rows of a table of the bot's store that a query picks, read beside the running bot (as the operators' scripts
 * open it: no lock): what the store truly holds, for a test to check.
 */
export const storeRows = (
  store: StoreAt,
  query: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, unknown>
): Promise<ReadonlyArray<Record<string, unknown>>> =>
  Effect.runPromise(
    Effect.scoped(
      openDatabase(settingOf(store), "maintenance").pipe(
        Effect.flatMap((context) => SqlClient.SqlClient.pipe(Effect.flatMap(query), Effect.provide(context)))
      )
    ).pipe(Effect.orDie)
  )

/** How many rows of each table hold something about the person (by their Telegram id). */
export const personRows = async (store: StoreAt, telegramId: number) => {
  const count = (table: string, where: (sql: SqlClient.SqlClient) => ReturnType<SqlClient.SqlClient["literal"]>) =>
    storeRows(store, (sql) => sql`SELECT COUNT(*) AS n FROM ${sql(table)} WHERE ${where(sql)}`).then((rows) =>
      Number(rows[0]!.n)
    )
  const byId = (sql: SqlClient.SqlClient) => sql.literal(`telegram_id = ${telegramId}`)
  return {
    leads: await count("leads", byId),
    start_events: await count("start_events", byId),
    latest_leads: await count("latest_leads", byId),
    follow_ups: await count("follow_ups", (sql) => sql.literal(`chat_id = ${telegramId}`)),
    relays: await count("relays", byId),
    person_topics: await count("person_topics", byId),
    admin_messages: await count("admin_messages", byId),
    consent_steps: await count("consent_steps", byId),
    consents: await count("consents", byId)
  }
}
