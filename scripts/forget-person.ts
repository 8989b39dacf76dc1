/**
 * `npm run forget-person -- <telegram id>`: forgets one person on their request, as their own /forget does: what the
 * store keeps about them deleted, their consent withdrawn, and the cleaning of the managers' chats recorded for the
 * bot to carry out (it edits the bot's messages about them, renames their topics, tells the managers which leads
 * were theirs: at once if it runs, else at its next start). It reads the bot's settings (the managers' chats) and
 * opens its store as a maintenance opener: no SQLite lock, so it runs beside the bot (why that is safe: `Opener` in
 * src/store/Opener.ts).
 */
import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Logger, LogLevel } from "effect"

import { AppConfig } from "../src/config/AppConfig.js"
import { environmentProvider } from "../src/config/environment.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { ManagersChats } from "../src/managers/ManagersChats.js"
import { Erasure } from "../src/privacy/Erasure.js"
import { Profiles } from "../src/profiles/Profiles.js"
import { openDatabase, storeDescription } from "../src/store/DatabaseLive.js"
import { SqlStores } from "../src/store/Stores.js"
import { commandLine, refuseUse } from "./commandLine.js"

const HELP = `usage: npm run forget-person -- <telegram id>
  (in the container image: node dist/app/forget-person.mjs <telegram id>)

Forgets one person, when they ask for their data to be deleted, as their own /forget in the bot does: deletes what
the lead store keeps about them, withdraws their consent (the consent log keeps the accept and the withdrawal), and
has the bot clean the managers' chats (its messages about them edited, their topics renamed, one notice of which
leads were theirs — those in the CRM are the agency's to delete there). Prints what it deleted. <telegram id> is the
number shown as "Telegram ID" in their lead. It reads the bot's settings (from the environment or .env) and is safe
to run while the bot runs.`

const { positionals } = commandLine("forget-person", HELP, { allowPositionals: true, options: {} })
if (existsSync(".env")) process.loadEnvFile(".env")
const telegramId = Number(positionals[0])
if (positionals.length !== 1 || !Number.isSafeInteger(telegramId) || telegramId <= 0) {
  refuseUse("forget-person", HELP, "expected one telegram id (the number shown as Telegram ID in the lead)")
}

/** The bot's store, opened for maintenance, with its ports. */
const MaintenanceStores = SqlStores.pipe(
  Layer.provide(Layer.scopedContext(Effect.flatMap(AppConfig, ({ store }) => openDatabase(store, "maintenance"))))
)

Effect.gen(function*() {
  const { store } = yield* AppConfig
  const f = yield* (yield* Erasure).erase(telegramId, "operator")
  yield* Console.log(
    `${storeDescription(store)}: deleted of ${telegramId}: ${f.leads} leads, ${f.attempts} delivery attempts, ` +
      `${f.followUps} follow-ups, ${f.latestLead} latest-lead pointer, ${f.updates} updates, ${f.relays} managers' ` +
      `messages, ${f.starts} /start events; consent withdrawn (${f.consentsWithdrawn}); the bot cleans ` +
      `${f.adminMessages} managers'-chat messages and ${f.topics} forum topics`
  )
}).pipe(
  Effect.provide(
    Erasure.Default.pipe(
      Layer.provide(Layer.mergeAll(MaintenanceStores, ManagersChats.Default)),
      Layer.provideMerge(Profiles.Default),
      Layer.provideMerge(AppConfig.Default)
    )
  ),
  Effect.scoped,
  // Its answer is the line above (or the failure's); the settings' warnings (a brand without a CRM) are the bot's.
  Logger.withMinimumLogLevel(LogLevel.Error),
  Effect.tapErrorCause((cause) =>
    reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "forget-person: "))
  ),
  Effect.withConfigProvider(environmentProvider()),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
