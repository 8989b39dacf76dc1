import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Redacted } from "effect"

import { safeDatabaseUrl } from "../../src/config/databaseUrl.js"
import { startupFailureLine } from "../../src/config/startupFailure.js"
import { openPostgres } from "../../src/store/pg/Database.js"
import { migrations } from "../../src/store/sql/migrations/index.js"
import { newDatabase, postgresMissing } from "../support/postgres.js"

describe.skipIf(postgresMissing)(`PostgreSQL as the store${postgresMissing ? ` (${postgresMissing})` : ""}`, () => {
  it.scoped("three replicas starting at once all migrate without a clash; each migration runs once", () =>
    Effect.gen(function*() {
      const url = yield* newDatabase
      const replicas = yield* Effect.all([1, 2, 3].map(() => openPostgres(Redacted.make(url))), { concurrency: 3 })
      const [sql] = replicas
      const ran = yield* sql!<
        { readonly migration_id: number }
      >`SELECT migration_id FROM effect_sql_migrations ORDER BY 1`
      expect(ran.map((r) => r.migration_id)).toEqual(Object.keys(migrations).map((_, i) => i + 1))
      const again = yield* openPostgres(Redacted.make(url))
      expect(yield* again<{ readonly n: number }>`SELECT COUNT(*) AS n FROM effect_sql_migrations`).toEqual([{
        n: Object.keys(migrations).length
      }])
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
