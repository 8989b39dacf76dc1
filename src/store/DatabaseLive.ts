import { Config, Effect, Layer, Option, Redacted } from "effect"

import { isPostgresUrl, safeDatabaseUrl } from "./databaseUrl.js"

/**
 * The same binary on either store: `DATABASE_URL=postgres://…` (or `postgresql://…`) is PostgreSQL, for several
 * replicas; `sqlite:<path>`, or `DATA_DIR` (the default), the embedded file for one bot. Only the chosen store's
 * driver is loaded (each is a chunk of the bundle of its own): the other costs neither start-up time nor memory.
 */
export const DatabaseLive = Layer.scopedContext(Effect.gen(function*() {
  const url = yield* Config.option(Config.redacted("DATABASE_URL"))
  if (Option.isSome(url) && isPostgresUrl(Redacted.value(url.value))) {
    const { postgresContext } = yield* Effect.promise(() => import("./pg/Database.js"))
    const context = yield* postgresContext(url.value)
    yield* Effect.logInfo(`lead store: PostgreSQL at ${safeDatabaseUrl(Redacted.value(url.value))}`)
    return context
  }
  const { sqliteContext } = yield* Effect.promise(() => import("./sqlite/Database.js"))
  return yield* sqliteContext
}))
