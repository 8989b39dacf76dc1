import { randomUUID } from "node:crypto"

import { Reactivity } from "@effect/experimental"
import { PgClient } from "@effect/sql-pg"
import { Effect, Exit, Layer, Redacted, Scope } from "effect"

import { postgresContext } from "../../src/store/pg/Database.js"

/** A PostgreSQL server for the tests (`.ci/run` starts one: scripts/test-postgres.sh). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

/** Why the PostgreSQL tests do not run here, or undefined when they do. In CI they must. */
export const postgresMissing = TEST_DATABASE_URL === undefined
  ? process.env.CI
    ? undefined
    : "skipped: no TEST_DATABASE_URL (scripts/test-postgres.sh starts a throwaway server and prints one)"
  : undefined

/** A new, empty database on the test server, dropped when the scope closes: its URL. */
export const newDatabase = Effect.gen(function*() {
  if (TEST_DATABASE_URL === undefined) return yield* Effect.dieMessage("no TEST_DATABASE_URL (in CI it is required)")
  const admin = yield* PgClient.make({ url: Redacted.make(TEST_DATABASE_URL) })
  const name = `leadbot_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  yield* admin`CREATE DATABASE ${admin(name)}`
  yield* Effect.addFinalizer(() => admin`DROP DATABASE ${admin(name)} WITH (FORCE)`.pipe(Effect.orDie))
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  return url.href
}).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

/** A database of its own for one test, migrated as the bot migrates it. */
export const freshPostgres = Layer.scopedContext(
  newDatabase.pipe(Effect.flatMap((url) => postgresContext(Redacted.make(url))), Effect.orDie)
)

/** The same for an end-to-end test outside Effect: its URL, and how to drop it afterwards. */
export const createDatabase = async (): Promise<{ readonly url: string; readonly drop: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const url = await Effect.runPromise(Scope.extend(newDatabase, scope))
  return { url, drop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
