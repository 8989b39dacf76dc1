import { join, resolve } from "node:path"

import { Config, type ConfigError, Effect, Option, Redacted, Schema } from "effect"

import { isPostgresUrl } from "./databaseUrl.js"
import { AdminNotify, enumeratedSetting, logFormatSetting, logLevelSetting, RelaySignature } from "./enumerated.js"
import { CHAT_ID, filledSetting, perBrandSettings } from "./perBrand.js"
import { StartupError } from "./StartupError.js"

/** Webhook mode: the public URL Telegram calls (its path is the route served) and the secret it sends back. */
export interface WebhookSettings {
  readonly url: Redacted.Redacted<URL>
  readonly secret: Redacted.Redacted<string>
  readonly maxConnections: number
}

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
export const StoreSetting = Schema.Union(
  Schema.TaggedStruct("Postgres", { url: Schema.Redacted(Schema.String) }),
  Schema.TaggedStruct("Sqlite", { filename: Schema.String, variable: Schema.Literal("DATA_DIR", "DATABASE_URL") })
)
export type StoreSetting = typeof StoreSetting.Type

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
      if (isPostgresUrl(value)) return { _tag: "Postgres", url: url.value }
      if (!value.startsWith("sqlite:")) {
        return yield* new StartupError({
          message: `DATABASE_URL must be sqlite:<path> or postgres://… (got a ${value.split(":")[0]}: URL)`
        })
      }
      const path = value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
      return { _tag: "Sqlite", filename: path === ":memory:" ? path : resolve(path), variable: "DATABASE_URL" }
    }
    const dir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./data"))
    return { _tag: "Sqlite", filename: resolve(join(dir, "leads.sqlite")), variable: "DATA_DIR" }
  }
)

/**
 * The bot's environment, read here only (every other module asks AppConfig). Secrets stay `Redacted` until the
 * call into a library.
 */
export class AppConfig extends Effect.Service<AppConfig>()("AppConfig", {
  effect: Effect.gen(function*() {
    const botToken = yield* Config.nonEmptyString("BOT_TOKEN").pipe(Config.map(Redacted.make))
    const adminChatId = yield* filledSetting("ADMIN_CHAT_ID", CHAT_ID, Config.integer)
    const telegramApiRoot = yield* Config.url("TELEGRAM_API_ROOT").pipe(
      Config.withDefault(new URL("https://api.telegram.org")),
      Config.map((url) => url.href.replace(/\/+$/, ""))
    )
    const crmTimeoutMs = yield* Config.integer("CRM_TIMEOUT_MS").pipe(
      Config.validate({ message: "must be a positive number of milliseconds", validation: (ms) => ms > 0 }),
      Config.withDefault(10_000)
    )
    const logLevel = yield* logLevelSetting
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
    const crmReconcileHours = yield* Config.number("CRM_RECONCILE_HOURS").pipe(
      Config.validate({ message: "must be a number of hours, 0 or more (0: never)", validation: (h) => h >= 0 }),
      Config.withDefault(72)
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
    const adminNotify = yield* enumeratedSetting("ADMIN_NOTIFY", AdminNotify).pipe(Config.withDefault("fallback"))
    const relaySignature = yield* enumeratedSetting("RELAY_SIGNATURE", RelaySignature).pipe(
      Config.withDefault("none")
    )
    const localesPath = yield* Config.option(Config.string("LOCALES_PATH"))
    const store = yield* storeSetting
    const perBrand = yield* perBrandSettings
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
      /** How long a fallback lead is still offered to its CRM (from its tap); 0: never. */
      crmReconcileHours,
      webhook,
      port,
      host,
      logFormat,
      shutdownDrainSeconds,
      adminNotify,
      relaySignature,
      localesPath,
      store,
      /** `<NAME>_<BRAND>`: each per-brand variable's values, by brand (see perBrandSettings). */
      perBrand
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
