import { randomUUID } from "node:crypto"

import { Reactivity } from "@effect/experimental"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Redacted } from "effect"

import { startupFailureLine } from "../../src/config/startupFailure.js"
import { openPostgres, safeDatabaseUrl } from "../../src/store/pg/Database.js"
import { postgresMissing, TEST_DATABASE_URL } from "../support/postgres.js"

/** A database created for the test, and its URL. */
const emptyDatabase = Effect.gen(function*() {
  const admin = yield* PgClient.make({ url: Redacted.make(TEST_DATABASE_URL!) })
  const name = `leadbot_${randomUUID().replace(/-/g, "").slice(0, 16)}`
  yield* admin`CREATE DATABASE ${admin(name)}`
  yield* Effect.addFinalizer(() => admin`DROP DATABASE ${admin(name)} WITH (FORCE)`.pipe(Effect.orDie))
  const url = new URL(TEST_DATABASE_URL!)
  url.pathname = `/${name}`
  return url.href
}).pipe(Effect.provide(Reactivity.layer))

describe.skipIf(postgresMissing)("PostgreSQL as the store", () => {
  it.scoped("three replicas starting at once all migrate without a clash; each migration runs once", () =>
    Effect.gen(function*() {
      const url = yield* emptyDatabase
      const replicas = yield* Effect.all([1, 2, 3].map(() => openPostgres(Redacted.make(url))), { concurrency: 3 })
      const [sql] = replicas
      const ran = yield* sql!<
        { readonly migration_id: number }
      >`SELECT migration_id FROM effect_sql_migrations ORDER BY 1`
      expect(ran.map((r) => r.migration_id)).toEqual([1, 2])
      const again = yield* openPostgres(Redacted.make(url))
      expect(yield* again<{ readonly n: number }>`SELECT COUNT(*) AS n FROM effect_sql_migrations`).toEqual([{ n: 2 }])
    }))

  it.scoped("a server that cannot be reached → one line naming DATABASE_URL, the password hidden", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(openPostgres(Redacted.make("postgres://bot:s3cret-pass@127.0.0.1:9/leads")))
      if (Exit.isSuccess(exit)) return expect.fail("connected to nothing")
      const line = startupFailureLine(exit.cause)
      expect(line).toMatch(
        /^Cannot start: DATABASE_URL=postgres:\/\/bot:\*\*\*@127\.0\.0\.1:9\/leads: cannot open the lead store: /
      )
      expect(line).not.toContain("s3cret-pass")
      expect(Cause.isFailType(exit.cause) || Cause.isFailure(exit.cause)).toBe(true)
    }))
})

describe("the database URL in a line", () => {
  it("hides the password, keeps the rest", () => {
    expect(safeDatabaseUrl("postgres://bot:pa%40ss@db.internal:5432/leads?sslmode=require")).toBe(
      "postgres://bot:***@db.internal:5432/leads?sslmode=require"
    )
    expect(safeDatabaseUrl("postgresql://db/leads")).toBe("postgresql://db/leads")
  })
})
