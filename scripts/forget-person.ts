/**
 * `npm run forget-person -- <telegram id>`: deletes what the lead store keeps about one person (their request to
 * delete their data). It opens the store the bot's settings name (AppConfig's `storeSetting`), as a maintenance
 * opener: no SQLite lock, so it runs beside the bot (why that is safe: `Opener` in src/store/Opener.ts).
 */
import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"

import { storeSetting } from "../src/config/AppConfig.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { openDatabase, storeDescription } from "../src/store/DatabaseLive.js"
import { forgetPerson } from "../src/store/sql/forgetPerson.js"
import { commandLine, refuseUse } from "./commandLine.js"

const HELP = `usage: npm run forget-person -- <telegram id>
  (in the container image: node dist/app/forget-person.mjs <telegram id>)

Deletes what the lead store keeps about one person, when they ask for their data to be deleted, and prints what it
deleted. <telegram id> is the number shown as "Telegram ID" in their lead. It opens the store the bot's settings name
(DATA_DIR or DATABASE_URL, from the environment or .env) and is safe to run while the bot runs.`

const { positionals } = commandLine("forget-person", HELP, { allowPositionals: true, options: {} })
if (existsSync(".env")) process.loadEnvFile(".env")
const telegramId = Number(positionals[0])
if (positionals.length !== 1 || !Number.isSafeInteger(telegramId) || telegramId <= 0) {
  refuseUse("forget-person", HELP, "expected one telegram id (the number shown as Telegram ID in the lead)")
}

Effect.gen(function*() {
  const setting = yield* storeSetting
  const database = yield* openDatabase(setting, "maintenance")
  const where = storeDescription(setting)
  const forgotten = yield* forgetPerson(telegramId).pipe(Effect.provide(database))
  const { adminMessages, attempts, followUps, latestLead, leads, leases, relays, starts, updates } = forgotten
  yield* Console.log(
    `${where}: deleted of ${telegramId}: ${leads} leads, ${attempts} delivery attempts, ${followUps} follow-ups, ` +
      `${latestLead} latest-lead pointer, ${leases} leases, ${updates} updates, ${relays} managers' messages, ` +
      `${adminMessages} admin-chat messages unlinked, ${starts} /start events`
  )
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) =>
    reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "forget-person: "))
  ),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
