import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import { freshPostgresSchema, freshSqliteSchema, SCHEMA_FILES } from "../../scripts/storeSchema.js"
import { postgresMissing, TEST_DATABASE_URL } from "../support/postgres.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const checkedIn = (file: string) => readFileSync(`${root}${file}`, "utf8")
const stale = (file: string) => `${file} is not the schema a fresh store has: run \`npm run schema\` and commit it`

describe("the checked-in schema is a freshly migrated store's", () => {
  it.effect(`SQLite: ${SCHEMA_FILES.sqlite}`, () =>
    Effect.gen(function*() {
      const fresh = yield* freshSqliteSchema
      expect(fresh).toContain("CREATE TABLE leads (")
      expect(fresh, stale(SCHEMA_FILES.sqlite)).toBe(checkedIn(SCHEMA_FILES.sqlite))
    }))

  describe.skipIf(postgresMissing)(`PostgreSQL${postgresMissing ? ` (${postgresMissing})` : ""}`, () => {
    it.effect(SCHEMA_FILES.postgres, () =>
      Effect.gen(function*() {
        const fresh = yield* freshPostgresSchema(TEST_DATABASE_URL ?? "")
        expect(fresh).toContain("CREATE TABLE leads (")
        expect(fresh, stale(SCHEMA_FILES.postgres)).toBe(checkedIn(SCHEMA_FILES.postgres))
      }))
  })
})
