/**
 * `npm run consents -- <telegram id> | --csv [--since YYYY-MM-DD] | --text <sha256>`: the consent log, for the
 * person who asks what they agreed to and for an auditor: one person's history, the whole log as CSV, or the exact
 * text a hash stands for. It opens the store the bot's settings name as a maintenance opener (no lock): safe beside
 * the running bot.
 */
import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"

import { storeSetting } from "../src/config/AppConfig.js"
import { environmentProvider } from "../src/config/environment.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { Consents } from "../src/store/Consents.js"
import { openDatabase } from "../src/store/DatabaseLive.js"
import { SqlConsents } from "../src/store/sql/SqlConsents.js"
import { commandLine, refuseUse } from "./commandLine.js"
import { consentCsv, historyLines } from "./consentsReport.js"

const HELP = `usage: npm run consents -- <telegram id> | --csv [--since YYYY-MM-DD] | --text <sha256>
  (in the container image: node dist/app/consents.mjs …)

The consent log (152-FZ: who accepted which text, when, how; a withdrawal added when they were forgotten):
  <telegram id>           one person's history, oldest first
  --csv                   the whole log as CSV on stdout (telegram_id,version,text_sha256,accepted_at,how,
                          withdrawn_at; times in UTC, ISO 8601), for an audit
  --since YYYY-MM-DD      with --csv: accepts from that day on (UTC)
  --text <sha256>         the exact text (as shown, placeholders filled) that a hash in the log stands for
It opens the store the bot's settings name (DATA_DIR or DATABASE_URL, from the environment or .env).`

const { positionals, values } = commandLine("consents", HELP, {
  allowPositionals: true,
  options: { csv: { type: "boolean" }, since: { type: "string" }, text: { type: "string" } }
})
if (existsSync(".env")) process.loadEnvFile(".env")
const since = values.since === undefined ? 0 : Date.parse(`${values.since}T00:00:00Z`)
if (values.since !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(values.since) || Number.isNaN(since))) {
  refuseUse("consents", HELP, `--since: expected a day YYYY-MM-DD, got "${values.since}"`)
}
const asked = [values.csv === true, values.text !== undefined, positionals.length > 0].filter(Boolean).length
const telegramId = Number(positionals[0])
if (asked !== 1 || positionals.length > 1 || (positionals.length === 1 && !Number.isSafeInteger(telegramId))) {
  refuseUse("consents", HELP, "expected one telegram id, or --csv, or --text <sha256>")
}

const program = Effect.gen(function*() {
  const consents = yield* Consents
  if (values.csv) {
    const log = yield* consents.log(since)
    return yield* Effect.sync(() => process.stdout.write(consentCsv(log)))
  }
  if (values.text !== undefined) {
    const text = yield* consents.textOf(values.text)
    if (Option.isNone(text)) return yield* Effect.fail(new Error(`no text with the hash ${values.text} in the log`))
    return yield* Console.log(text.value.text)
  }
  return yield* Console.log(historyLines(telegramId, yield* consents.historyOf(telegramId)))
})

program.pipe(
  Effect.provide(
    SqlConsents.pipe(
      Layer.provide(Layer.scopedContext(Effect.flatMap(storeSetting, (s) => openDatabase(s, "maintenance"))))
    )
  ),
  Effect.scoped,
  Effect.tapErrorCause((cause) => reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "consents: "))),
  Effect.withConfigProvider(environmentProvider()),
  (run) => NodeRuntime.runMain(run, { disableErrorReporting: true })
)
