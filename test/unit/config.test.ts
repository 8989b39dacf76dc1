import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Layer, LogLevel, Redacted } from "effect"

import { AppConfig } from "../../src/config/AppConfig.js"
import { startupFailureLine } from "../../src/config/startupFailure.js"

const load = (env: Record<string, string>) =>
  Effect.exit(
    Layer.build(AppConfig.Default).pipe(
      Effect.flatMap((ctx) => Effect.succeed(ctx)),
      Effect.scoped,
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
  )

const read = (env: Record<string, string>) =>
  AppConfig.pipe(
    Effect.provide(AppConfig.Default),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("AppConfig", () => {
  it.effect("defaults, and the token stays redacted", () =>
    Effect.gen(function*() {
      const config = yield* read({ BOT_TOKEN: "123:secret", ADMIN_CHAT_ID: "-1001234" })
      expect(config.adminChatId).toBe(-1001234)
      expect(config.telegramApiRoot).toBe("https://api.telegram.org")
      expect(config.crmTimeoutMs).toBe(10_000)
      expect(config.logLevel).toBe(LogLevel.Info)
      expect(config.shutdownDrainSeconds).toBe(5)
      expect(String(config.botToken)).not.toContain("secret")
      expect(Redacted.value(config.botToken)).toBe("123:secret")
    }))

  it.effect("LOG_LEVEL: a level is taken in any case; a wrong one is refused with the accepted values listed", () =>
    Effect.gen(function*() {
      const ok = yield* load({ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", LOG_LEVEL: "debug" })
      expect(Exit.isSuccess(ok) && Context.get(ok.value, AppConfig).logLevel).toBe(LogLevel.Debug)
      const exit = yield* load({ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", LOG_LEVEL: "loud" })
      if (Exit.isSuccess(exit)) return expect.fail("LOG_LEVEL=loud was accepted")
      const line = startupFailureLine(exit.cause)
      expect(line).toContain("LOG_LEVEL")
      expect(line).toContain(
        "expected one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF (any case), got \"loud\""
      )
    }))

  it.effect.each(
    [
      [{ ADMIN_CHAT_ID: "1" }, "BOT_TOKEN"],
      [{ BOT_TOKEN: "", ADMIN_CHAT_ID: "1" }, "BOT_TOKEN"],
      [{ BOT_TOKEN: "1:a" }, "ADMIN_CHAT_ID"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "admins" }, "ADMIN_CHAT_ID"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", CRM_TIMEOUT_MS: "-5" }, "CRM_TIMEOUT_MS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", TELEGRAM_API_ROOT: "not a url" }, "TELEGRAM_API_ROOT"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", LOG_LEVEL: "loud" }, "LOG_LEVEL"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", ADMIN_TIMEZONE: "Moscow" }, "ADMIN_TIMEZONE"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", CRM_TIMEOUT_MS: "soon" }, "CRM_TIMEOUT_MS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", UPDATES_RETENTION_DAYS: "0" }, "UPDATES_RETENTION_DAYS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", UPDATES_RETENTION_DAYS: "a week" }, "UPDATES_RETENTION_DAYS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", DELIVERY_LEASE_SECONDS: "1" }, "DELIVERY_LEASE_SECONDS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", DELIVERY_LEASE_SECONDS: "2.5" }, "DELIVERY_LEASE_SECONDS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", SHUTDOWN_DRAIN_SECONDS: "-1" }, "SHUTDOWN_DRAIN_SECONDS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", ADMIN_NOTIFY: "everything" }, "ADMIN_NOTIFY"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", RELAY_SIGNATURE: "full" }, "RELAY_SIGNATURE"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", DATABASE_URL: "mysql://x" }, "DATABASE_URL"]
    ] as const
  )("%o → one line naming %s", ([env, variable]) =>
    Effect.gen(function*() {
      const exit = yield* load(env)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const line = startupFailureLine(exit.cause)
        expect(line).toContain(variable)
        expect(line).not.toContain("\n")
        expect(line).not.toContain("1:a")
      }
    }))
})
