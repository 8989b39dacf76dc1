/**
 * `npm run sandbox`: a page on 127.0.0.1 that behaves like Telegram enough to use the real bot with no token:
 * your chat with the bot, the managers' chat beside it, the CRM's inbox, and switches for their faults.
 */
import { SandboxStartError, startSandbox } from "../sandbox/server.js"
import { stopWholeOnSignal } from "../sim/stopOnSignal.js"
import { commandLine } from "./commandLine.js"

const HELP = `usage: npm run sandbox [-- --port <N>]

A page on http://127.0.0.1:8377 (another port with --port) that behaves like Telegram enough to try the real bot
with no token and no network: your chat with the bot, the managers' chat beside it, the CRM's inbox, and switches
for their faults. Open it in a browser. Ctrl+C stops it and everything it started.`

const { values } = commandLine("sandbox", HELP, { options: { port: { type: "string", default: "8377" } } })
// Ctrl+C (or a supervisor's SIGTERM) is how the sandbox ends, even while it starts: everything it started stops
// with it, exit 0.
let stopSandbox = async () => {}
stopWholeOnSignal(() => stopSandbox(), 0)
const sandbox = await startSandbox(Number(values.port)).catch((error) => {
  console.error(
    `Cannot start the sandbox: ${
      error instanceof SandboxStartError ? error.message : error instanceof Error ? error.message : String(error)
    }`
  )
  process.exit(1)
})
console.log(`Sandbox: ${sandbox.url}  (the real bot against local stand-ins; Ctrl+C to stop)`)
stopSandbox = sandbox.stop
