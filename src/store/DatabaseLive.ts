import { Config, Effect, Layer, Option, Redacted } from "effect"

import { isPostgresUrl, postgresContext, safeDatabaseUrl } from "./pg/Database.js"
import { sqliteContext } from "./sqlite/Database.js"

/**
 * The same binary on either store: `DATABASE_URL=postgres://…` (or `postgresql://…`) is PostgreSQL, for several
 * replicas; `sqlite:<path>`, or `DATA_DIR` (the default), the embedded file for one bot.
 */
export const DatabaseLive = Layer.scopedContext(Effect.gen(function*() {
  const url = yield* Config.option(Config.redacted("DATABASE_URL"))
  if (Option.isSome(url) && isPostgresUrl(Redacted.value(url.value))) {
    const context = yield* postgresContext(url.value)
    yield* Effect.logInfo(`lead store: PostgreSQL at ${safeDatabaseUrl(Redacted.value(url.value))}`)
    return context
  }
  return yield* sqliteContext
}))
