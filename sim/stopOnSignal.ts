import { existsSync, readdirSync, readFileSync } from "node:fs"

import { stopAllBots } from "./spawnBot.js"
import { removeTempDirs } from "./tempDirs.js"

/** Every process below `pid` (Linux /proc), children before theirs. */
export const descendants = (pid: number): Array<number> => {
  const tasks = `/proc/${pid}/task`
  if (!existsSync(tasks)) return []
  const children = readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(`${tasks}/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)
    } catch {
      return []
    }
  })
  return children.flatMap((child) => [child, ...descendants(child)])
}

/** SIGTERM to whatever else this process started (an nginx, a `npm start`), SIGKILL to what is left after 5 s. */
const stopTheRest = async () => {
  const kill = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal)
    } catch {
      // gone already
    }
  }
  const rest = descendants(process.pid)
  for (const pid of rest) kill(pid, "SIGTERM")
  for (let waited = 0; waited < 5000 && rest.some((pid) => existsSync(`/proc/${pid}`)); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (const pid of rest) kill(pid, "SIGKILL")
}

/**
 * A script that starts bots (demo, sandbox, benchmark) stops whole on SIGTERM or SIGINT: its own parts first
 * (`stop`: servers, stand-ins), then every bot it started, then any other process it started, then its
 * temporary folders; then it exits with
 * `code` (by default 128 + the signal's number, as a shell reports a process a signal ended).
 */
export const stopWholeOnSignal = (stop: () => Promise<void> = async () => {}, code?: number): void => {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    const exitCode = code ?? 128 + (signal === "SIGINT" ? 2 : 15)
    stop().catch((error) => console.error(`stopping: ${error instanceof Error ? error.message : error}`))
      .then(stopAllBots)
      .then(stopTheRest)
      .finally(() => {
        removeTempDirs()
        process.exit(exitCode)
      })
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}
