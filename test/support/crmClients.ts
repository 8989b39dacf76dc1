import { Effect, Layer, Logger, LogLevel, Option, Redacted } from "effect"

import type { AmoCrmSim } from "../../sim/AmoCrmSim.js"
import type { Bitrix24Sim } from "../../sim/Bitrix24Sim.js"
import type { LeadExtras } from "../../src/crm/Crm.js"
import { CRM_RATES, crmLiveWith, type CrmRates } from "../../src/crm/CrmLive.js"
import type { AmoCrmTarget, Bitrix24Target } from "../../src/crm/CrmTarget.js"
import { DispatcherLive } from "../../src/http/connectionPool.js"
import type { Lead } from "../../src/lead/Lead.js"
import { testConfigWith } from "./testLayers.js"

/** The live Crm Layer over real HTTP (the pooled client), with CRM_TIMEOUT_MS and budgets as given. */
export const liveCrm = (options: { readonly timeoutMs?: number; readonly rates?: CrmRates } = {}) =>
  crmLiveWith(options.rates ?? CRM_RATES).pipe(
    Layer.provide(Layer.merge(DispatcherLive, testConfigWith({ crmTimeoutMs: options.timeoutMs ?? 2_000 })))
  )

/** A brand's amoCRM target at the stand-in (its token unless another is given). */
export const amoTarget = (sim: AmoCrmSim, changes: Partial<AmoCrmTarget> = {}): AmoCrmTarget => ({
  _tag: "AmoCrm",
  url: sim.url,
  token: Redacted.make(sim.token),
  pipelineId: Option.none(),
  urlVariable: "AMOCRM_URL_AGENCY",
  tokenVariable: "AMOCRM_TOKEN_AGENCY",
  ...changes
})

/** A brand's Bitrix24 target at the stand-in's webhook. */
export const bitrixTarget = (sim: Bitrix24Sim, changes: Partial<Bitrix24Target> = {}): Bitrix24Target => ({
  _tag: "Bitrix24",
  url: Redacted.make(sim.webhookUrl),
  sourceId: "WEB",
  urlVariable: "BITRIX24_WEBHOOK_URL_AGENCY",
  ...changes
})

/** A lead of the shipped brand `agency`, its id and person as given. */
export const aLead = (id: string, changes: Partial<Lead> = {}): Lead => ({
  id,
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard Smith", username: Option.some("betterrman") },
  createdAt: 0,
  tapId: `q-${id}`,
  campaign: Option.some("vk_spring"),
  ...changes
})

export const withPhoneAndUtm: LeadExtras = {
  phone: Option.some("+79991234567"),
  followUps: [],
  utm: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring" }
}
export const noExtras: LeadExtras = { phone: Option.none(), followUps: [], utm: {} }

/** Runs `effect` with its log lines (level and message) kept in `lines`, none printed. */
export const withLogLines = <A, E, R>(lines: Array<string>, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.provide(Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
    )),
    Logger.withMinimumLogLevel(LogLevel.Info)
  )
