import { type SqlClient } from "@effect/sql"
import { type Context, Effect, Layer, Redacted, type Scope } from "effect"

import { AppConfig, type StoreSetting } from "../config/AppConfig.js"
import { safeDatabaseUrl } from "../config/databaseUrl.js"
import type { StartupError } from "../config/StartupError.js"
import type { Opener } from "./Opener.js"

/** Where the store is, for a log line (the password hidden). */
export const storeDescription = (setting: StoreSetting): string =>
  setting._tag === "Postgres" ? `PostgreSQL at ${safeDatabaseUrl(Redacted.value(setting.url))}` : setting.filename

/**
 * The same binary on either store: PostgreSQL, for several replicas, or the embedded SQLite file for one bot. Only
 * the chosen store's driver is loaded (each is a chunk of the bundle of its own): the other costs neither start-up
 * time nor memory. Errors stop start-up with one line naming the variable.
 */
export const openDatabase = (
  setting: StoreSetting,
  opener: Opener
): Effect.Effect<Context.Context<SqlClient.SqlClient>, StartupError, Scope.Scope> =>
  setting._tag === "Postgres"
    ? Effect.promise(() => import("./pg/Database.js")).pipe(
      Effect.flatMap(({ postgresContext }) => postgresContext(setting.url))
    )
    : Effect.promise(() => import("./sqlite/Database.js")).pipe(
      Effect.flatMap(({ sqliteContext }) => sqliteContext(setting, opener))
    )

/** The bot's database, open for its lifetime. */
export const DatabaseLive = Layer.scopedContext(Effect.gen(function*() {
  const { store } = yield* AppConfig
  const context = yield* openDatabase(store, "bot")
  yield* Effect.logInfo(`lead store: ${storeDescription(store)}`)
  return context
}))
