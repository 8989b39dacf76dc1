/**
 * `npm run sandbox`: a page on 127.0.0.1 that behaves like Telegram enough to use the real bot with no token:
 * your chat with the bot, the managers' chat beside it, the CRM's inbox, and switches for their faults.
 */
import { parseArgs } from "node:util"

import { SandboxStartError, startSandbox } from "../sandbox/server.js"

const { values } = parseArgs({ options: { port: { type: "string", default: "8377" } } })
const sandbox = await startSandbox(Number(values.port)).catch((error) => {
  console.error(
    `Cannot start the sandbox: ${
      error instanceof SandboxStartError ? error.message : error instanceof Error ? error.message : String(error)
    }`
  )
  process.exit(1)
})
console.log(`Sandbox: ${sandbox.url}  (the real bot against local stand-ins; Ctrl+C to stop)`)
const stop = () => {
  sandbox.stop().then(() => process.exit(0), () => process.exit(1))
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
