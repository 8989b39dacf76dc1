import { Cause, Effect, FiberRef, HashMap, HashSet, Inspectable, Layer, List, Logger } from "effect"

import { AppConfig } from "./AppConfig.js"

const text = (message: unknown): string =>
  (Array.isArray(message) ? message : [message]).map((
    part
  ) => (typeof part === "string" ? part : Inspectable.format(part)))
    .join(" ")

/**
 * One JSON object per line, for a log collector: time, level, message, the annotations (such as `lead`), the
 * innermost span, and the cause when there is one. Secrets never reach a log line in the first place.
 */
export const jsonLogger = Logger.make(({ annotations, cause, date, logLevel, message, spans }) => {
  const entry: Record<string, unknown> = { time: date.toISOString(), level: logLevel.label, message: text(message) }
  for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = value
  const span = List.head(spans)
  if (span._tag === "Some") entry.span = span.value.label
  if (!Cause.isEmpty(cause)) entry.cause = Cause.pretty(cause, { renderErrorCause: true })
  globalThis.console.log(JSON.stringify(entry))
})

/** LOG_LEVEL and LOG_FORMAT, for every log line from the start (the ports' start-up included). */
export const LoggingLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ logFormat, logLevel }) =>
    Layer.mergeAll(
      Logger.minimumLogLevel(logLevel),
      logFormat === "json" ? Layer.locallyScoped(FiberRef.currentLoggers, HashSet.make(jsonLogger)) : Layer.empty
    ))
)
