import { readFileSync } from "node:fs"

import { Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"

import { DeliveryLoopsLive } from "../../src/app.js"
import { AppConfig } from "../../src/config/AppConfig.js"
import type { PerBrand, PerBrandSettings } from "../../src/config/perBrand.js"
import { Crm } from "../../src/crm/Crm.js"
import type { CrmError } from "../../src/crm/CrmError.js"
import { type CrmPayload, crmPayload } from "../../src/crm/CrmPayload.js"
import { ManagersChats } from "../../src/managers/ManagersChats.js"
import { decodeLocales, makeProfiles, Profiles } from "../../src/profiles/Profiles.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { StoresTest } from "../../src/store/Stores.js"
import type { TelegramBot } from "../../src/telegram/TelegramBot.js"

export { ADMIN, type ApiCall, recordingTelegram } from "./recordingTelegram.js"
import { ADMIN } from "./recordingTelegram.js"

/** No per-brand variable set: every brand on ADMIN_CHAT_ID, webhooks from locales.json. */
export const noPerBrand: PerBrandSettings = {
  ADMIN_CHAT_ID: new Map(),
  CRM_WEBHOOK_URL: new Map(),
  AMOCRM_URL: new Map(),
  AMOCRM_TOKEN: new Map(),
  AMOCRM_PIPELINE_ID: new Map(),
  BITRIX24_WEBHOOK_URL: new Map(),
  BITRIX24_SOURCE_ID: new Map()
}

/** Per-brand values as AppConfig reads them from `<NAME>_<BRAND>`: `{ cg: -100600 }` → ADMIN_CHAT_ID_CG. */
export const perBrandOf = <A>(name: string, values: Record<string, A>): PerBrand<A> =>
  new Map(
    Object.entries(values).map(([brand, value]) => [brand, { variable: `${name}_${brand.toUpperCase()}`, value }])
  )

/** The configuration of unit tests, with any setting changed. */
export const testConfigWith = (changes: Partial<Parameters<typeof AppConfig.make>[0]> = {}) =>
  Layer.succeed(
    AppConfig,
    AppConfig.make({
      botToken: Redacted.make("1:test"),
      adminChatId: ADMIN,
      telegramApiRoot: "http://127.0.0.1:1",
      crmTimeoutMs: 10_000,
      logLevel: LogLevel.None,
      adminTimeZone: "UTC",
      updatesRetentionDays: 7,
      campaignWindowDays: 30,
      statsRetentionDays: 400,
      crmReconcileHours: 72,
      deliveryLeaseSeconds: 30,
      webhook: Option.none(),
      port: 0,
      host: "127.0.0.1",
      logFormat: "pretty",
      shutdownDrainSeconds: 0,
      adminNotify: "fallback",
      relaySignature: "none",
      localesPath: Option.none(),
      store: { _tag: "Sqlite", filename: ":memory:", variable: "DATA_DIR" },
      perBrand: noPerBrand,
      ...changes
    })
  )

export const testConfig = testConfigWith()

export const shippedLocales = () => {
  const decoded = decodeLocales(readFileSync(new URL("../../locales/locales.json", import.meta.url), "utf8"))
  if (decoded._tag === "Left") throw new Error(decoded.left)
  return decoded.right
}

/** The shipped locales; every brand's webhook points at a fake URL (the mock CRM never dials it). */
export const testProfiles = Layer.effect(
  Profiles,
  Effect.suspend(() => {
    const locales = shippedLocales()
    const webhooks = Object.fromEntries(
      Object.keys(locales.profiles).map((
        brand
      ) => [brand, Redacted.make(`http://crm.test/${brand.toUpperCase()}/secret`)])
    )
    return makeProfiles(locales, { ...noPerBrand, CRM_WEBHOOK_URL: perBrandOf("CRM_WEBHOOK_URL", webhooks) })
  }).pipe(Effect.map(Profiles.make))
)

/**
 * A webhook CRM that answers each lead with the next scripted result (success when the script runs out) and keeps
 * the JSON a webhook would have been sent. Like a webhook, it cannot be searched and takes no notes.
 */
export const scriptedCrm = (script: Array<CrmError | "ok"> = []) => {
  const sent: Array<CrmPayload> = []
  const layer = Layer.succeed(
    Crm,
    Crm.of({
      deliver: (_target, lead, extras) =>
        Effect.suspend(() => {
          sent.push(crmPayload(lead, extras.utm, extras.phone, extras.followUps))
          const next = script.shift() ?? "ok"
          return next === "ok" ? Effect.succeed({ _tag: "Webhook" as const }) : Effect.fail(next)
        }),
      findExisting: () => Effect.succeed(Option.none()),
      addNote: () => Effect.die("a webhook takes no notes"),
      updatePhone: () => Effect.die("a webhook takes no phone later"),
      check: () => Effect.void
    })
  )
  return { sent, layer }
}

/** The test ports: recording Telegram, scripted CRM, in-memory stores, the shipped locales, the test config. */
export const testPorts = (
  telegram: Layer.Layer<TelegramBot>,
  crm: Layer.Layer<Crm>,
  config: Layer.Layer<AppConfig> = testConfig,
  profiles: Layer.Layer<Profiles, unknown> = testProfiles,
  stores: Layer.Layer<Layer.Layer.Success<typeof StoresTest>> = StoresTest
) =>
  ManagersChats.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(
      telegram,
      crm,
      stores,
      profiles,
      config
    ))
  )

/**
 * In-memory stores that outlive one run of the bot's services: a test stops the bot (its scope), moves the clock
 * while nothing runs, and starts it again on the same store, as a restart does.
 */
export const lastingStores = Layer.build(StoresTest).pipe(Effect.map((context) => Layer.succeedContext(context)))

/** The bot's services (each bringing the services it needs, as in the app) over the test ports. */
export const botServices = (
  telegram: Layer.Layer<TelegramBot>,
  crm: Layer.Layer<Crm>,
  config: Layer.Layer<AppConfig> = testConfig,
  profiles: Layer.Layer<Profiles, unknown> = testProfiles,
  stores?: Layer.Layer<Layer.Layer.Success<typeof StoresTest>>
) =>
  UpdateRouter.Default.pipe(
    Layer.provideMerge(DeliveryLoopsLive),
    Layer.provideMerge(testPorts(telegram, crm, config, profiles, stores)),
    Layer.provide(Logger.minimumLogLevel(LogLevel.None))
  )
