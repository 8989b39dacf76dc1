/**
 * `npm run backup -- <file>` (in the image: `node dist/app/backup.mjs <file>`): a consistent copy of the SQLite lead
 * store, taken while the bot runs (`VACUUM INTO`: WAL lets it read a snapshot; copying the file alone can miss the
 * last commits). It opens the store the bot's settings name, as a maintenance opener (no lock). On PostgreSQL,
 * pg_dump is the tool: it says so.
 */
import { existsSync } from "node:fs"
import { resolve } from "node:path"

import { NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Console, Effect } from "effect"

import { storeSetting } from "../src/config/AppConfig.js"
import { StartupError } from "../src/config/StartupError.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { openDatabase, storeDescription } from "../src/store/DatabaseLive.js"
import { commandLine, refuseUse } from "./commandLine.js"

const HELP = `usage: npm run backup -- <file>
  (in the container image: node dist/app/backup.mjs <file>)

Writes a consistent copy of the SQLite lead store to <file> (a new file), taken while the bot runs (VACUUM INTO).
It opens the store the bot's settings name (DATA_DIR, from the environment or .env). On PostgreSQL (DATABASE_URL),
back up with pg_dump instead.`

const { positionals } = commandLine("backup", HELP, { allowPositionals: true, options: {} })
if (existsSync(".env")) process.loadEnvFile(".env")
const target = positionals[0]
if (target === undefined || positionals.length !== 1) {
  refuseUse("backup", HELP, "expected one file to write the copy to")
}

Effect.gen(function*() {
  const setting = yield* storeSetting
  if (setting._tag === "Postgres") {
    return yield* new StartupError({ message: "DATABASE_URL is PostgreSQL: back it up with pg_dump" })
  }
  const file = resolve(target)
  if (existsSync(file)) return yield* new StartupError({ message: `${file} exists already: name a new file` })
  const database = yield* openDatabase(setting, "maintenance")
  yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`VACUUM INTO ${file}`).pipe(
    Effect.provide(database),
    Effect.mapError((e) => new StartupError({ message: `cannot write ${file}: ${e.message}` }))
  )
  yield* Console.log(`${storeDescription(setting)} backed up to ${file}`)
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) => reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "backup: "))),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
