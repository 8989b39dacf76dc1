/**
 * `npm run schema`: writes docs/schema.sqlite.sql and docs/schema.postgres.sql from freshly migrated stores, after a
 * migration is added (test/unit/schema.test.ts fails until they are current). The PostgreSQL one needs a server:
 * TEST_DATABASE_URL (scripts/test-postgres.sh starts a throwaway one and prints its URL); a new database is made on
 * it and dropped afterwards.
 */
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"

import { StartupError } from "../src/config/StartupError.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { freshPostgresSchema, freshSqliteSchema, SCHEMA_FILES } from "./storeSchema.js"

const root = fileURLToPath(new URL("..", import.meta.url))

const write = (file: string, text: string) =>
  Effect.sync(() => writeFileSync(`${root}${file}`, text)).pipe(Effect.zipRight(Console.log(`wrote ${file}`)))

Effect.gen(function*() {
  yield* write(SCHEMA_FILES.sqlite, yield* freshSqliteSchema)
  const server = process.env.TEST_DATABASE_URL
  if (server === undefined) {
    return yield* new StartupError({
      message: `${SCHEMA_FILES.postgres} not written: set TEST_DATABASE_URL to a PostgreSQL server (as root: ` +
        `eval "$(bash scripts/test-postgres.sh | sed -n 's/^url=/export TEST_DATABASE_URL=/p')")`
    })
  }
  yield* write(SCHEMA_FILES.postgres, yield* freshPostgresSchema(server))
}).pipe(
  Effect.tapErrorCause((cause) => reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "schema: "))),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
