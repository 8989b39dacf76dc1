/**
 * `npm run sandbox`: a page on 127.0.0.1 that behaves like Telegram enough to use the real bot with no token:
 * your chat with the bot, the managers' chat beside it, the CRM's inbox, switches for their faults and a brand's CRM.
 */
import { startSandbox } from "../sandbox/server.js"
import { SandboxStartError } from "../sandbox/settings.js"
import { stopWholeOnSignal } from "../sim/stopOnSignal.js"
import { commandLine } from "./commandLine.js"

const HELP = `usage: npm run sandbox [-- --port <N>] [--env <FILE>] [--locales <FILE>]

A page on http://127.0.0.1:8377 (another port with --port) that behaves like Telegram enough to try the real bot
with no token and no network: your chat with the bot, the managers' chat beside it, the CRM's inbox, and switches
for their faults. Each brand has a switch for its CRM: its webhook, amoCRM or Bitrix24 (stand-ins of all three;
the inbox shows the webhook's requests and the native CRMs' leads with their contacts and notes); a change restarts
the bot on the same store. Open it in a browser. Ctrl+C stops it and everything it started.

  --env FILE      the bot's settings as in production's .env (ADMIN_NOTIFY, RELAY_SIGNATURE, ADMIN_TIMEZONE,
                  ADMIN_CHAT_ID and ADMIN_CHAT_ID_<BRAND>: each chat is made in the stand-in, …); BOT_TOKEN,
                  TELEGRAM_API_ROOT, a brand's CRM (CRM_WEBHOOK_URL_, AMOCRM_*_, BITRIX24_*_<BRAND>), WEBHOOK_*,
                  DATABASE_URL, DATA_DIR, PORT and HOST are the sandbox's own (the stand-ins, a temporary store,
                  polling)
  --locales FILE  the bot's locales.json (brands, texts, campaigns with UTM, hours, ask_phone, consent)
A wrong file or setting stops it in one line, as the bot refuses it.`

const { values } = commandLine("sandbox", HELP, {
  options: { port: { type: "string", default: "8377" }, env: { type: "string" }, locales: { type: "string" } }
})
// Ctrl+C (or a supervisor's SIGTERM) is how the sandbox ends, even while it starts: everything it started stops
// with it, exit 0.
let stopSandbox = async () => {}
stopWholeOnSignal(() => stopSandbox(), 0)
const sandbox = await startSandbox(Number(values.port), { envFile: values.env, localesFile: values.locales }).catch(
  (error) => {
    console.error(
      `Cannot start the sandbox: ${
        error instanceof SandboxStartError ? error.message : error instanceof Error ? error.message : String(error)
      }`
    )
    process.exit(1)
  }
)
const { replaced } = sandbox.settings
if (replaced.length > 0) {
  console.log(
    `--env ${values.env}: ${replaced.join(", ")} not used: the sandbox sets its own (the stand-ins, a temporary store${
      replaced.includes("LOCALES_PATH") ? ", --locales" : ""
    })`
  )
}
console.log(`Sandbox: ${sandbox.url}  (the real bot against local stand-ins; Ctrl+C to stop)`)
stopSandbox = sandbox.stop
