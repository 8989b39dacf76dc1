import { constants } from "node:os"
import { performance } from "node:perf_hooks"

import { Effect } from "effect"

import { reportLastLine } from "./config/lastLine.js"

/**
 * How long after the first stop signal another one is a copy of it. One signal often arrives twice: a terminal's
 * Ctrl+C and systemd's `KillMode=control-group` signal every process of the group, so under `npm start` the bot
 * gets its own copy and npm's forward a few milliseconds apart (a supervisor signals all of them in one pass). A
 * person pressing Ctrl+C again because the stop takes long does so a second or more later.
 */
export const SAME_STOP_WINDOW_MS = 1_000

/** What a stop signal is, given the ones before it: the first, a copy of the first, or a later one. */
export type StopSignalKind = "first" | "copy" | "later"

/** Tells each signal's kind from when it came (`now`, in ms on a monotonic clock). */
export const stopSignalJudge = (windowMs = SAME_STOP_WINDOW_MS) => {
  let firstAt: number | undefined
  return (now: number): StopSignalKind => {
    if (firstAt === undefined) {
      firstAt = now
      return "first"
    }
    return now - firstAt < windowMs ? "copy" : "later"
  }
}

/**
 * Listens for SIGINT and SIGTERM for the process's whole life, beside Effect's `NodeRuntime.runMain` (which
 * interrupts the program on the first and then removes its own listeners, so that a second would get Node's
 * default action: death on the spot, no drain, the CRM call under way abandoned). The first is runMain's graceful
 * stop; its copies change nothing; a later one ends the process at once, saying so in one line, with the exit code
 * a shell gives a process that signal ended (128 + its number: 130 for SIGINT, 143 for SIGTERM).
 */
export const oneStopPerSignal = (): void => {
  const judge = stopSignalJudge()
  const onSignal = (signal: NodeJS.Signals) => {
    if (judge(performance.now()) !== "later") return
    Effect.runSync(reportLastLine("WARN", "second signal: stopping now"))
    process.exit(128 + constants.signals[signal as "SIGINT" | "SIGTERM"])
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}
