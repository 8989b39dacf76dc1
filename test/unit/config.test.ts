import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Exit, Layer, LogLevel, Option, Redacted } from "effect"

import { AppConfig } from "../../src/config/AppConfig.js"
import { environmentProvider } from "../../src/config/environment.js"
import { type PerBrand, valueOfBrand, variablesOfNoBrand } from "../../src/config/perBrand.js"
import { startupFailureLine } from "../../src/config/startupFailure.js"
import { noPerBrand } from "../support/testLayers.js"

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

  it.effect("CRM_RECONCILE_HOURS: 72 unless set; 0 (never) is a value", () =>
    Effect.gen(function*() {
      const hours = (env: Record<string, string>) =>
        Effect.map(load({ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", ...env }), (exit) =>
          Exit.isSuccess(exit) ? Context.get(exit.value, AppConfig).crmReconcileHours : undefined)
      expect(yield* hours({})).toBe(72)
      expect(yield* hours({ CRM_RECONCILE_HOURS: "0" })).toBe(0)
      expect(yield* hours({ CRM_RECONCILE_HOURS: "12.5" })).toBe(12.5)
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
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", CRM_RECONCILE_HOURS: "-1" }, "CRM_RECONCILE_HOURS"],
      [{ BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "1", CRM_RECONCILE_HOURS: "three days" }, "CRM_RECONCILE_HOURS"],
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

/** AppConfig over `env`, its names split at "_" as the environment's are. */
const loadEnv = (env: Record<string, string>) =>
  Effect.exit(
    AppConfig.pipe(
      Effect.provide(AppConfig.Default),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))
    )
  )

const failureOf = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return expect.fail("it started")
  return startupFailureLine(exit.cause)
}

const required = { BOT_TOKEN: "1:a", ADMIN_CHAT_ID: "-1" }

describe("enumerated settings: one rule", () => {
  it.effect.each(
    [
      ["ADMIN_NOTIFY", "ALL", "adminNotify", "all"],
      ["ADMIN_NOTIFY", "Fallback", "adminNotify", "fallback"],
      ["RELAY_SIGNATURE", "NAME", "relaySignature", "name"],
      ["LOG_FORMAT", "JSON", "logFormat", "json"],
      ["LOG_LEVEL", "Warn", "logLevel", LogLevel.Warning]
    ] as const
  )("%s=%s is taken in any case", ([variable, written, key, value]) =>
    Effect.gen(function*() {
      const exit = yield* loadEnv({ ...required, [variable]: written })
      if (Exit.isFailure(exit)) return expect.fail(startupFailureLine(exit.cause))
      expect(exit.value[key]).toBe(value)
    }))

  it.effect.each(
    [
      ["ADMIN_NOTIFY", "everything", "fallback, all"],
      ["RELAY_SIGNATURE", "full", "none, name"],
      ["LOG_FORMAT", "xml", "pretty, json"],
      ["LOG_LEVEL", "loud", "ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF"]
    ] as const
  )("%s=%s is refused with one line listing %s", ([variable, written, accepted]) =>
    Effect.gen(function*() {
      const line = failureOf(yield* loadEnv({ ...required, [variable]: written }))
      const reason = `expected one of ${accepted} (any case), got "${written}"`
      expect(line).toBe(`Cannot start: configuration: Invalid data at ${variable}: "${reason}"`)
    }))
})

describe("per-brand variables, read at start", () => {
  it.effect("a brand key in any case is its brand's; the variable is named as written", () =>
    Effect.gen(function*() {
      const exit = yield* loadEnv({
        ...required,
        ADMIN_CHAT_ID_cg: "-100777",
        ADMIN_CHAT_ID_Express: "-100888",
        CRM_WEBHOOK_URL_agency: "https://crm.example/a"
      })
      if (Exit.isFailure(exit)) return expect.fail(startupFailureLine(exit.cause))
      const { ADMIN_CHAT_ID, CRM_WEBHOOK_URL } = exit.value.perBrand
      expect(Object.fromEntries(ADMIN_CHAT_ID)).toEqual({
        cg: { variable: "ADMIN_CHAT_ID_cg", value: -100777 },
        express: { variable: "ADMIN_CHAT_ID_Express", value: -100888 }
      })
      expect(CRM_WEBHOOK_URL.get("agency")?.variable).toBe("CRM_WEBHOOK_URL_agency")
      expect(Option.map(Option.fromNullable(CRM_WEBHOOK_URL.get("agency")), (v) => Redacted.value(v.value))).toEqual(
        Option.some("https://crm.example/a")
      )
    }))

  it.effect("a brand key with _ in it (my_brand, and my beside it) is found whole", () =>
    Effect.gen(function*() {
      const exit = yield* loadEnv({ ...required, ADMIN_CHAT_ID_MY_BRAND: "-100601", ADMIN_CHAT_ID_MY: "-100602" })
      if (Exit.isFailure(exit)) return expect.fail(startupFailureLine(exit.cause))
      const chats = exit.value.perBrand.ADMIN_CHAT_ID
      expect(Object.fromEntries([...chats].map(([brand, { value }]) => [brand, value]))).toEqual({
        my: -100602,
        my_brand: -100601
      })
      expect(Option.map(valueOfBrand(chats, "my_brand"), (v) => v.variable)).toEqual(
        Option.some("ADMIN_CHAT_ID_MY_BRAND")
      )
    }))

  it.effect("every variable of the table is read per brand (a line added there is read too)", () =>
    Effect.gen(function*() {
      const names = Object.keys(noPerBrand)
      const exit = yield* loadEnv({ ...required, ...Object.fromEntries(names.map((name) => [`${name}_Agency`, "1"])) })
      if (Exit.isFailure(exit)) return expect.fail(startupFailureLine(exit.cause))
      const perBrand: Record<string, PerBrand<unknown>> = exit.value.perBrand
      expect(Object.keys(perBrand)).toEqual(names)
      for (const name of names) expect(perBrand[name]!.get("agency")?.variable).toBe(`${name}_Agency`)
    }))

  it.effect.each(
    [
      [{ ADMIN_CHAT_ID_cg: "-100777", ADMIN_CHAT_ID_CG: "-100778" }, "ADMIN_CHAT_ID_CG and ADMIN_CHAT_ID_cg"],
      [
        { CRM_WEBHOOK_URL_Cg: "https://a.example", CRM_WEBHOOK_URL_cg: "https://b.example" },
        "CRM_WEBHOOK_URL_Cg and CRM_WEBHOOK_URL_cg"
      ]
    ] as const
  )("two spellings of one brand's variable stop start-up, naming both: %o", ([env, both]) =>
    Effect.gen(function*() {
      expect(failureOf(yield* loadEnv({ ...required, ...env }))).toBe(
        `Cannot start: ${both} are one brand's (cg): brand keys are matched in any case; keep one`
      )
    }))

  it.effect.each(
    [
      [
        { ADMIN_CHAT_ID_CG: "" },
        "ADMIN_CHAT_ID_CG is empty: expected a chat id, such as -1001234567890 (or leave it unset)"
      ],
      [
        { ADMIN_CHAT_ID_cg: " " },
        "ADMIN_CHAT_ID_cg is empty: expected a chat id, such as -1001234567890 (or leave it unset)"
      ],
      [{ CRM_WEBHOOK_URL_AGENCY: "" }, "CRM_WEBHOOK_URL_AGENCY is empty: expected an http(s) URL (or leave it unset)"],
      [{ ADMIN_CHAT_ID: "" }, "ADMIN_CHAT_ID is empty: expected a chat id, such as -1001234567890"]
    ] as const
  )("an empty chat id or webhook is said to be empty (not read as 0): %o", ([env, line]) =>
    Effect.gen(function*() {
      expect(failureOf(yield* loadEnv({ ...required, ...env }))).toBe(`Cannot start: ${line}`)
    }))

  it("the variables that name no brand: a pure check over what was read", () => {
    const settings = {
      ...noPerBrand,
      ADMIN_CHAT_ID: new Map([
        ["my_brand", { variable: "ADMIN_CHAT_ID_MY_BRAND", value: 1 }],
        ["my", { variable: "ADMIN_CHAT_ID_MY", value: 2 }]
      ]),
      CRM_WEBHOOK_URL: new Map([["agensy", { variable: "CRM_WEBHOOK_URL_agensy", value: Redacted.make("x") }]])
    }
    expect(variablesOfNoBrand(settings, ["agency", "my_brand"])).toEqual(["ADMIN_CHAT_ID_MY", "CRM_WEBHOOK_URL_agensy"])
    expect(variablesOfNoBrand(settings, ["agensy", "my", "my_brand"])).toEqual([])
  })
})

describe("the environment, as the app reads it", () => {
  const withEnv = <A, E>(env: Record<string, string>, effect: Effect.Effect<A, E>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        const before = { ...process.env }
        Object.assign(process.env, env)
        return before
      }),
      () => effect,
      (before) =>
        Effect.sync(() => {
          for (const name of Object.keys(env)) delete process.env[name]
          Object.assign(process.env, before)
        })
    )
  // As main.ts runs the app: on the environment's provider, made once the environment is set.
  const appConfig = Effect.suspend(() =>
    AppConfig.pipe(Effect.provide(AppConfig.Default), Effect.withConfigProvider(environmentProvider()))
  )
  const env = {
    BOT_TOKEN: "1:a",
    ADMIN_CHAT_ID: "-1",
    ADMIN_CHAT_ID_cg: "-100777",
    CRM_WEBHOOK_URL_agency: "https://a.example"
  }

  it.effect("process.env's names keep their case: ADMIN_CHAT_ID_cg and CRM_WEBHOOK_URL_agency are used", () =>
    Effect.gen(function*() {
      const config = yield* withEnv(env, appConfig)
      expect(config.perBrand.ADMIN_CHAT_ID.get("cg")).toEqual({ variable: "ADMIN_CHAT_ID_cg", value: -100777 })
      expect(config.perBrand.CRM_WEBHOOK_URL.get("agency")?.variable).toBe("CRM_WEBHOOK_URL_agency")
    }))

  it.effect("Effect's own fromEnv would list ADMIN_CHAT_ID_CG and find nothing: never ignored, one line", () =>
    Effect.gen(function*() {
      const exit = yield* withEnv(env, Effect.exit(AppConfig.pipe(Effect.provide(AppConfig.Default))))
      expect(failureOf(exit)).toMatch(/^Cannot start: ADMIN_CHAT_ID_CG: listed by the environment but not found/)
    }))
})
