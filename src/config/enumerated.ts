import { Config, ConfigError, Either, LogLevel, Schema } from "effect"

/**
 * An enumerated setting: one of `values`' literals, written in any case (`ADMIN_NOTIFY=ALL` is `all`); a value that
 * is none of them stops start-up with a line listing the ones it takes. Every enumerated setting is read with it.
 */
export const enumeratedSetting = <const Values extends readonly [string, ...Array<string>]>(
  name: string,
  values: Schema.Literal<Values>
): Config.Config<Values[number]> =>
  Config.string(name).pipe(
    Config.mapOrFail((written) => {
      const value = values.literals.find((literal) => literal.toLowerCase() === written.trim().toLowerCase())
      return value === undefined
        ? Either.left(
          ConfigError.InvalidData([], `expected one of ${values.literals.join(", ")} (any case), got "${written}"`)
        )
        : Either.right(value)
    })
  )

/** LOG_FORMAT: lines for a person to read, or one JSON object a line for a log collector. */
export const LogFormat = Schema.Literal("pretty", "json")
export type LogFormat = typeof LogFormat.Type

/** ADMIN_NOTIFY: the managers' chat hears of a lead only when the CRM did not take it, or of every lead. */
export const AdminNotify = Schema.Literal("fallback", "all")
export type AdminNotify = typeof AdminNotify.Type

/** RELAY_SIGNATURE: a manager's reply reaches the person unsigned, or signed with the manager's first name. */
export const RelaySignature = Schema.Literal("none", "name")
export type RelaySignature = typeof RelaySignature.Type

/** LOG_LEVEL: Effect's level labels. */
export const LogLevelLabel = Schema.Literal("ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF")

const levelOf: Record<typeof LogLevelLabel.Type, LogLevel.LogLevel> = {
  ALL: LogLevel.All,
  TRACE: LogLevel.Trace,
  DEBUG: LogLevel.Debug,
  INFO: LogLevel.Info,
  WARN: LogLevel.Warning,
  ERROR: LogLevel.Error,
  FATAL: LogLevel.Fatal,
  OFF: LogLevel.None
}

export const logLevelSetting = enumeratedSetting("LOG_LEVEL", LogLevelLabel).pipe(
  Config.map((label) => levelOf[label]),
  Config.withDefault(LogLevel.Info)
)

/** LOG_FORMAT: read by AppConfig, and alone for the line that reports a failed start-up. */
export const logFormatSetting = enumeratedSetting("LOG_FORMAT", LogFormat).pipe(Config.withDefault("pretty"))
