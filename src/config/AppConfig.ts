import { join, resolve } from "node:path"

import { Config, ConfigError, Effect, Either, LogLevel, Option, Redacted } from "effect"

import { isPostgresUrl } from "./databaseUrl.js"
import { StartupError } from "./StartupError.js"

/** Webhook mode: the public URL Telegram calls (its path is the route served) and the secret it sends back. */
export interface WebhookSettings {
  readonly url: Redacted.Redacted<URL>
  readonly secret: Redacted.Redacted<string>
  readonly maxConnections: number
}

export type LogFormat = "pretty" | "json"

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/

/** WEBHOOK_URL set → webhook mode, and then WEBHOOK_SECRET is required; unset → polling. */
const webhookSettings = Effect.gen(function*() {
  const url = yield* Config.option(
    Config.url("WEBHOOK_URL").pipe(
      Config.validate({
        message: "must be an https:// URL (http:// only for a local stand-in)",
        validation: (url) => url.protocol === "https:" || url.protocol === "http:"
      })
    )
  )
  if (Option.isNone(url)) return Option.none<WebhookSettings>()
  const secret = yield* Config.string("WEBHOOK_SECRET").pipe(
    Config.validate({ message: "must be 1-256 characters A-Z a-z 0-9 _ -", validation: (s) => SECRET_TOKEN.test(s) })
  )
  const maxConnections = yield* Config.integer("WEBHOOK_MAX_CONNECTIONS").pipe(
    Config.validate({ message: "must be from 1 to 100", validation: (n) => n >= 1 && n <= 100 }),
    Config.withDefault(40)
  )
  return Option.some<WebhookSettings>({ url: Redacted.make(url.value), secret: Redacted.make(secret), maxConnections })
})

/** Where the lead store is: PostgreSQL (shared by replicas), or a SQLite file and the variable that named it. */
export type StoreSetting =
  | { readonly _tag: "Postgres"; readonly url: Redacted.Redacted<string> }
  | { readonly _tag: "Sqlite"; readonly filename: string; readonly variable: "DATA_DIR" | "DATABASE_URL" }

/**
 * `DATABASE_URL=postgres://…` (or `postgresql://…`) is PostgreSQL; `DATABASE_URL=sqlite:<path>` a SQLite file;
 * else `<DATA_DIR>/leads.sqlite` (DATA_DIR defaults to ./data). The bot reads it as part of AppConfig, and the
 * maintenance scripts alone (they need no bot token).
 */
export const storeSetting: Effect.Effect<StoreSetting, ConfigError.ConfigError | StartupError> = Effect.gen(
  function*() {
    const url = yield* Config.option(Config.redacted("DATABASE_URL"))
    if (Option.isSome(url)) {
      const value = Redacted.value(url.value)
      if (isPostgresUrl(value)) return { _tag: "Postgres", url: url.value } as const
      if (!value.startsWith("sqlite:")) {
        return yield* new StartupError({
          message: `DATABASE_URL must be sqlite:<path> or postgres://… (got a ${value.split(":")[0]}: URL)`
        })
      }
      const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
      return { _tag: "Sqlite", filename: path === ":memory:" ? path : resolve(path), variable: "DATABASE_URL" } as const
    }
    const dir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./data"))
    return { _tag: "Sqlite", filename: resolve(join(dir, "leads.sqlite")), variable: "DATA_DIR" } as const
  }
)

/** `CRM_WEBHOOK_URL_<BRAND>`: a brand's CRM webhook, when the environment sets it (it wins over locales.json). */
export const crmWebhookUrl = (
  brand: string
): Effect.Effect<Option.Option<Redacted.Redacted<string>>, ConfigError.ConfigError> =>
  Config.option(Config.redacted(`CRM_WEBHOOK_URL_${brand.toUpperCase()}`))

/** `ADMIN_CHAT_ID_<BRAND>`: a brand's own managers' chat, when the environment sets one (else ADMIN_CHAT_ID's). */
export const adminChatIdOf = (brand: string): Effect.Effect<Option.Option<number>, ConfigError.ConfigError> =>
  Config.option(Config.integer(`ADMIN_CHAT_ID_${brand.toUpperCase()}`))

/** The variables set once per brand, `<NAME>_<BRAND>`. */
export const PER_BRAND_VARIABLES = ["CRM_WEBHOOK_URL", "ADMIN_CHAT_ID"] as const

/**
 * The per-brand variables set that name no brand of `brands` (a typo such as CRM_WEBHOOK_URL_AGENSY would
 * otherwise leave the brand it meant without its setting). The environment's names are split at "_", so a brand
 * key with "_" in it is matched on its first part.
 */
export const variablesOfNoBrand = (
  brands: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, ConfigError.ConfigError> =>
  Effect.configProviderWith((provider) =>
    Effect.forEach(PER_BRAND_VARIABLES, (name) =>
      provider.flattened.enumerateChildren(name.split("_")).pipe(
        Effect.map((suffixes) =>
          [...suffixes].filter((suffix) =>
            !brands.some((brand) => {
              const key = brand.toUpperCase()
              return key === suffix || key.startsWith(`${suffix}_`)
            })
          ).map((suffix) => `${name}_${suffix}`)
        )
      ))
  ).pipe(Effect.map((found) => found.flat().sort()))

/** LOG_FORMAT: read by AppConfig, and alone for the line that reports a failed start-up. */
export const logFormatSetting = Config.literal("pretty", "json")("LOG_FORMAT").pipe(
  Config.withDefault("pretty" as const)
)

/** What LOG_LEVEL accepts: Effect's level labels. */
const LOG_LEVELS = LogLevel.allLevels.map((l) => l.label).join(", ")

/**
 * The bot's environment, read here only (every other module asks AppConfig). Secrets stay `Redacted` until the
 * call into a library.
 */
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
    const logLevel = yield* Config.string("LOG_LEVEL").pipe(
      Config.mapOrFail((value) => {
        const level = LogLevel.allLevels.find((l) => l.label === value.toUpperCase())
        return level === undefined
          ? Either.left(ConfigError.InvalidData([], `expected one of ${LOG_LEVELS} (any case), got "${value}"`))
          : Either.right(level)
      }),
      Config.withDefault(LogLevel.Info)
    )
    // Validated before the default applies: a check on the defaulted config would lose the variable's name.
    const adminTimeZone = yield* Config.string("ADMIN_TIMEZONE").pipe(
      Config.validate({ message: "must be an IANA time zone such as Europe/Moscow", validation: isTimeZone }),
      Config.withDefault("Europe/Moscow")
    )
    const updatesRetentionDays = yield* Config.number("UPDATES_RETENTION_DAYS").pipe(
      Config.validate({ message: "must be a positive number of days", validation: (days) => days > 0 }),
      Config.withDefault(7)
    )
    const campaignWindowDays = yield* Config.number("CAMPAIGN_WINDOW_DAYS").pipe(
      Config.validate({ message: "must be a positive number of days", validation: (days) => days > 0 }),
      Config.withDefault(30)
    )
    const statsRetentionDays = yield* Config.number("STATS_RETENTION_DAYS").pipe(
      Config.validate({ message: "must be a positive number of days", validation: (days) => days > 0 }),
      Config.withDefault(400)
    )
    const deliveryLeaseSeconds = yield* Config.integer("DELIVERY_LEASE_SECONDS").pipe(
      Config.validate({ message: "must be a whole number of seconds, at least 3", validation: (s) => s >= 3 }),
      Config.withDefault(30)
    )
    const webhook = yield* webhookSettings
    const port = yield* Config.integer("PORT").pipe(
      Config.validate({ message: "must be a port number, 0 to 65535 (0: any free port)", validation: isPort }),
      Config.withDefault(8080)
    )
    const host = yield* Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
    const logFormat = yield* logFormatSetting
    const shutdownDrainSeconds = yield* Config.integer("SHUTDOWN_DRAIN_SECONDS").pipe(
      Config.validate({ message: "must be a whole number of seconds, 0 or more", validation: (s) => s >= 0 }),
      Config.withDefault(5)
    )
    const adminNotify = yield* Config.literal("fallback", "all")("ADMIN_NOTIFY").pipe(
      Config.withDefault("fallback" as const)
    )
    const relaySignature = yield* Config.literal("none", "name")("RELAY_SIGNATURE").pipe(
      Config.withDefault("none" as const)
    )
    const localesPath = yield* Config.option(Config.string("LOCALES_PATH"))
    const store = yield* storeSetting
    return {
      botToken,
      adminChatId,
      telegramApiRoot,
      crmTimeoutMs,
      logLevel,
      adminTimeZone,
      updatesRetentionDays,
      campaignWindowDays,
      statsRetentionDays,
      deliveryLeaseSeconds,
      webhook,
      port,
      host,
      logFormat: logFormat as LogFormat,
      shutdownDrainSeconds,
      adminNotify: adminNotify as "fallback" | "all",
      relaySignature: relaySignature as "none" | "name",
      localesPath,
      store,
      crmWebhookUrl,
      adminChatIdOf
    } as const
  })
}) {}

const isPort = (port: number) => port >= 0 && port <= 65_535

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return true
  } catch {
    return false
  }
}
