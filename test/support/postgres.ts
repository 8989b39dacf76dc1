import { Effect, Layer, Redacted } from "effect"

import * as PostgresDatabase from "../../sim/postgresDatabase.js"
import { postgresContext } from "../../src/store/pg/Database.js"

/** A PostgreSQL server for the tests (`.ci/run` starts one: scripts/test-postgres.sh). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL

/** Why the PostgreSQL tests do not run here, or undefined when they do. In CI they must. */
export const postgresMissing = TEST_DATABASE_URL === undefined
  ? process.env.CI
    ? undefined
    : "skipped: no TEST_DATABASE_URL (scripts/test-postgres.sh starts a throwaway server and prints one)"
  : undefined

const server = () => {
  if (TEST_DATABASE_URL === undefined) throw new Error("no TEST_DATABASE_URL (in CI it is required)")
  return TEST_DATABASE_URL
}

/** A new, empty database on the test server, dropped when the scope closes: its URL. */
export const newDatabase = Effect.suspend(() => PostgresDatabase.newDatabase(server()))

/** A database of its own for one test, migrated as the bot migrates it. */
export const freshPostgres = Layer.scopedContext(
  newDatabase.pipe(Effect.flatMap((url) => postgresContext(Redacted.make(url))), Effect.orDie)
)

/** The same for an end-to-end test outside Effect: its URL, and how to drop it afterwards. */
export const createDatabase = () => PostgresDatabase.createDatabase(server())
