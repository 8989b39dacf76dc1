/**
 * `npm run forget-person -- <telegram id>`: deletes what the lead store keeps about one person (their request to
 * delete their data). Safe while the bot runs (SQLite WAL); it reads DATA_DIR / DATABASE_URL like the bot.
 */
import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { Console, Effect } from "effect"

import { openDatabase, storeLocation } from "../src/store/sqlite/Database.js"
import { forgetPerson } from "../src/store/sqlite/forgetPerson.js"

if (existsSync(".env")) process.loadEnvFile(".env")
const telegramId = Number(process.argv[2])
if (!Number.isSafeInteger(telegramId) || telegramId <= 0) {
  console.error("usage: npm run forget-person -- <telegram id> (the number shown as Telegram ID in the lead)")
  process.exit(2)
}

Effect.gen(function*() {
  const { filename } = yield* storeLocation
  if (!existsSync(filename)) return yield* Console.error(`no lead store at ${filename} (set DATA_DIR or DATABASE_URL)`)
  const sql = yield* openDatabase(filename)
  const forgotten = yield* forgetPerson(telegramId).pipe(Effect.provideService(SqlClient.SqlClient, sql))
  const { followUps, leads, updates } = forgotten
  yield* Console.log(
    `${filename}: deleted ${leads} leads, ${followUps} follow-ups, ${updates} updates of ${telegramId}`
  )
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) => Console.error(`forget-person failed: ${cause}`)),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
