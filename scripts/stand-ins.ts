/**
 * `npm run stand-ins`: the Telegram Bot API and CRM stand-ins on their own, so that `npm start` can be tried as in
 * production: it prints what to put in `.env`, then plays the person (and a manager) from this terminal and shows
 * what the bot says, what the admin chat gets and what the CRM receives.
 */
import { createInterface } from "node:readline"
import { parseArgs } from "node:util"

import { CrmSim } from "../sim/CrmSim.js"
import { stopWholeOnSignal } from "../sim/stopOnSignal.js"
import { type SimUser, TelegramSim } from "../sim/TelegramSim.js"
import { transcriber } from "../sim/transcript.js"
import { botEnv } from "../sim/world.js"
import { COMMANDS, standInsCommands } from "./standInsCommands.js"

const HELP = `npm run stand-ins [-- --telegram-port N] [-- --crm-port N]

Starts a Telegram Bot API stand-in and a CRM webhook stand-in on 127.0.0.1 (ports 8390 and 8391 by default) and
prints the settings for .env; start the bot with npm start in another terminal. Then type here:
${COMMANDS}
Ctrl+C stops the stand-ins.`

const { values } = parseArgs({
  options: {
    "telegram-port": { type: "string", default: "8390" },
    "crm-port": { type: "string", default: "8391" },
    help: { type: "boolean", short: "h", default: false }
  }
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}

const PERSON: SimUser = { id: 7001, first_name: "Вы", username: "stand_in_person" }
const MANAGER: SimUser = { id: 7002, first_name: "Менеджер", username: "stand_in_manager" }
const port = (option: "telegram-port" | "crm-port") => {
  const n = Number(values[option])
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    console.error(`Cannot start the stand-ins: --${option} must be a port number (got ${values[option]})`)
    process.exit(1)
  }
  return n
}
const telegramPort = port("telegram-port")
const crmPort = port("crm-port")

let stop = async () => {}
stopWholeOnSignal(() => stop(), 0)
const started = await Promise.all([TelegramSim.start({ port: telegramPort }), CrmSim.start({ port: crmPort })]).catch(
  (error: NodeJS.ErrnoException) => {
    console.error(
      `Cannot start the stand-ins: ${
        error.code === "EADDRINUSE" ? "a port is in use: choose others with --telegram-port and --crm-port" : error
      }`
    )
    process.exit(1)
  }
)
const [telegram, crm] = started
stop = () => Promise.all([telegram.close(), crm.close()]).then(() => undefined)

const env = Object.entries(botEnv(telegram, crm)).filter(([key]) => key !== "PORT" && key !== "HOST")
console.log("Stand-ins running. Put these in .env (or the environment), then run npm start in another terminal:\n")
for (const [key, value] of env) console.log(`${key}=${value}`)
console.log("\nType what the person sends (e.g. /start agency); --help lists the rest. Ctrl+C stops.")

const commands = standInsCommands(
  { telegram, crm },
  { person: PERSON, manager: MANAGER },
  (line) => console.log(`  ${line}`)
)
const show = transcriber({ telegram, crm }, PERSON, { ids: true, managersChats: commands.managersChats })
setInterval(show, 200)

createInterface({ input: process.stdin }).on("line", commands.run)
