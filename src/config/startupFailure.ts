import { Cause, ConfigError, Option } from "effect"

import { reportLastLine } from "./lastLine.js"

/** One line for an operator, no stack trace: which variable, which file, which path. */
export const startupFailureLine = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (ConfigError.isConfigError(error)) return `Cannot start: configuration: ${String(error).replace(/^\(|\)$/g, "")}`
    if (error instanceof Error) return `Cannot start: ${error.message}`
    return `Cannot start: ${String(error)}`
  }
  const defect = Cause.squash(cause)
  return `Cannot start: ${defect instanceof Error ? defect.message : String(defect)}`
}

/** A failed start-up: its one line (`Cannot start: …`, or as `rename` words it), last. */
export const reportStartupFailure = (cause: Cause.Cause<unknown>, rename: (line: string) => string = (l) => l) =>
  reportLastLine("FATAL", rename(startupFailureLine(cause)))

/** A signal came before the bot was ready: it stopped at once, and says so. */
export const reportStoppedDuringStartup = reportLastLine(
  "INFO",
  "Stopped during start-up: a signal (SIGTERM or SIGINT) came before the bot was ready"
)
