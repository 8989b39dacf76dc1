import { Effect } from "effect"

import { type LogFormat, logFormatSetting } from "./enumerated.js"

/**
 * Prints the last line of a run that ends outside the logger (a start-up that did not finish, a stop cut short), on
 * stderr: the plain line, or with LOG_FORMAT=json a JSON object like every other line (`time`, `level`, `message`).
 * A LOG_FORMAT that is itself wrong gets the plain line.
 */
export const reportLastLine = (level: "FATAL" | "WARN" | "INFO", line: string) =>
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
