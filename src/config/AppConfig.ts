import { Config, Effect, LogLevel, Redacted } from "effect"

/** The bot's environment. Secrets stay `Redacted` until the call into a library. */
export class AppConfig extends Effect.Service<AppConfig>()("AppConfig", {
  effect: Effect.gen(function*() {
    const botToken = yield* Config.nonEmptyString("BOT_TOKEN").pipe(Config.map(Redacted.make))
    const adminChatId = yield* Config.integer("ADMIN_CHAT_ID")
    const telegramApiRoot = yield* Config.url("TELEGRAM_API_ROOT").pipe(
      Config.withDefault(new URL("https://api.telegram.org")),
      Config.map((url) => url.href.replace(/\/+$/, ""))
    )
    const crmTimeoutMs = yield* Config.integer("CRM_TIMEOUT_MS").pipe(
      Config.validate({ message: "must be a positive number of milliseconds", validation: (ms) => ms > 0 }),
      Config.withDefault(10_000)
    )
    const logLevel = yield* Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
    // Validated before the default applies: a check on the defaulted config would lose the variable's name.
    const adminTimeZone = yield* Config.string("ADMIN_TIMEZONE").pipe(
      Config.validate({ message: "must be an IANA time zone such as Europe/Moscow", validation: isTimeZone }),
      Config.withDefault("Europe/Moscow")
    )
    const updatesRetentionDays = yield* Config.number("UPDATES_RETENTION_DAYS").pipe(
      Config.validate({ message: "must be a positive number of days", validation: (days) => days > 0 }),
      Config.withDefault(7)
    )
    return {
      botToken,
      adminChatId,
      telegramApiRoot,
      crmTimeoutMs,
      logLevel,
      adminTimeZone,
      updatesRetentionDays
    } as const
  })
}) {}

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return true
  } catch {
    return false
  }
}
