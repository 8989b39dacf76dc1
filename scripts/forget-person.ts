/**
 * `npm run forget-person -- <telegram id>`: deletes what the lead store keeps about one person (their request to
 * delete their data). Safe while the bot runs (SQLite WAL, or PostgreSQL); it reads DATA_DIR / DATABASE_URL like
 * the bot.
 */
import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Config, Console, Effect, Option, Redacted } from "effect"

import { StartupError } from "../src/config/StartupError.js"
import { startupFailureLine } from "../src/config/startupFailure.js"
import { isPostgresUrl, safeDatabaseUrl } from "../src/store/databaseUrl.js"
import { openPostgres } from "../src/store/pg/Database.js"
import { forgetPerson } from "../src/store/sql/forgetPerson.js"
import { openDatabase, storeLocation } from "../src/store/sqlite/Database.js"

if (existsSync(".env")) process.loadEnvFile(".env")
const telegramId = Number(process.argv[2])
if (!Number.isSafeInteger(telegramId) || telegramId <= 0) {
  console.error("usage: npm run forget-person -- <telegram id> (the number shown as Telegram ID in the lead)")
  process.exit(2)
}

/** The store as the bot opens it, but without the SQLite lock: the bot may be running. */
const store = Effect.gen(function*() {
  const url = yield* Config.option(Config.redacted("DATABASE_URL"))
  if (Option.isSome(url) && isPostgresUrl(Redacted.value(url.value))) {
    return { where: safeDatabaseUrl(Redacted.value(url.value)), sql: yield* openPostgres(url.value) }
  }
  const { filename } = yield* storeLocation
  if (!existsSync(filename)) {
    return yield* new StartupError({ message: `no lead store at ${filename} (set DATA_DIR or DATABASE_URL)` })
  }
  return { where: filename, sql: yield* openDatabase(filename) }
})

Effect.gen(function*() {
  const { sql, where } = yield* store
  const forgotten = yield* forgetPerson(telegramId).pipe(Effect.provideService(SqlClient.SqlClient, sql))
  const { followUps, leads, updates } = forgotten
  yield* Console.log(`${where}: deleted ${leads} leads, ${followUps} follow-ups, ${updates} updates of ${telegramId}`)
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) =>
    Console.error(startupFailureLine(cause).replace(/^Cannot start: /, "forget-person: "))
  ),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
