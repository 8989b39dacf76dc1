import { Cause, ConfigError, Effect, Option } from "effect"

import { type LogFormat, logFormatSetting } from "./enumerated.js"

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

/**
 * Prints the last line of a start-up that did not finish, on stderr: the plain line, or with LOG_FORMAT=json a JSON
 * object like every other line (`time`, `level`, `message`). A LOG_FORMAT that is itself wrong gets the plain line.
 */
const reportLast = (level: "FATAL" | "INFO", line: string) =>
  logFormatSetting.pipe(
    Effect.orElseSucceed((): LogFormat => "pretty"),
    Effect.flatMap((format) =>
      Effect.sync(() =>
        console.error(
          format === "json" ? JSON.stringify({ time: new Date().toISOString(), level, message: line }) : line
        )
      )
    )
  )

/** A failed start-up: its one line (`Cannot start: …`, or as `rename` words it), last. */
export const reportStartupFailure = (cause: Cause.Cause<unknown>, rename: (line: string) => string = (l) => l) =>
  reportLast("FATAL", rename(startupFailureLine(cause)))

/** A signal came before the bot was ready: it stopped at once, and says so. */
export const reportStoppedDuringStartup = reportLast(
  "INFO",
  "Stopped during start-up: a signal (SIGTERM or SIGINT) came before the bot was ready"
)
