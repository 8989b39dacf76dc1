import { Effect, Layer, Option } from "effect"

import type { CrmRef } from "../lead/CrmRef.js"
import type { Lead } from "../lead/Lead.js"
import { checkAmoCrm } from "./amocrm/amoCrmCheck.js"
import { makeAmoCrm } from "./amocrm/amoCrmClient.js"
import { checkBitrix24 } from "./bitrix24/bitrix24Check.js"
import { makeBitrix24 } from "./bitrix24/bitrix24Client.js"
import { Crm, type LeadExtras } from "./Crm.js"
import { crmPayload } from "./CrmPayload.js"
import type { CrmTarget } from "./CrmTarget.js"
import { makeExchange } from "./http/exchange.js"
import { makeOriginLimiters, type RequestRate } from "./http/OriginLimiter.js"
import { webhookSend } from "./webhook/webhookSend.js"

/** The request budgets: one for each amoCRM account, one for each Bitrix24 portal. */
export interface CrmRates {
  readonly amoCrm: RequestRate
  readonly bitrix24: RequestRate
}

/**
 * amoCRM takes at most 7 requests a second an account, Bitrix24 2 a second a portal (beyond its burst). The window
 * is a tenth of a second longer than a second: requests leave in order, but may arrive a little closer together.
 */
export const CRM_RATES: CrmRates = {
  amoCrm: { requests: 7, perMillis: 1_100 },
  bitrix24: { requests: 2, perMillis: 1_100 }
}

const webhookRef: CrmRef = { _tag: "Webhook" }

/** The three kinds behind one port: the target's kind says which speaks. */
export const makeCrm = (rates: CrmRates = CRM_RATES) =>
  Effect.gen(function*() {
    const exchange = yield* makeExchange
    const amo = makeAmoCrm(exchange, yield* makeOriginLimiters(rates.amoCrm))
    const bitrix = makeBitrix24(exchange, yield* makeOriginLimiters(rates.bitrix24))
    const send = webhookSend(exchange)

    const deliver = (target: CrmTarget, lead: Lead, extras: LeadExtras) => {
      switch (target._tag) {
        case "Webhook":
          return send(target.url, crmPayload(lead, extras.utm, extras.phone, extras.followUps)).pipe(
            Effect.as(webhookRef)
          )
        case "AmoCrm":
          return amo.deliver(target, lead, extras)
        case "Bitrix24":
          return bitrix.deliver(target, lead, extras)
      }
    }

    return Crm.of({
      deliver,
      findExisting: (target, leadId) => {
        switch (target._tag) {
          case "Webhook":
            return Effect.succeed(Option.none())
          case "AmoCrm":
            return amo.findExisting(target, leadId)
          case "Bitrix24":
            return bitrix.findExisting(target, leadId)
        }
      },
      addNote: (target, ref, note) =>
        target._tag === "AmoCrm" ? amo.addNote(target, ref, note) : bitrix.addNote(target, ref, note),
      updatePhone: (target, ref, phone) =>
        target._tag === "AmoCrm" ? amo.updatePhone(target, ref, phone) : bitrix.updatePhone(target, ref, phone),
      check: (target, brand) => {
        switch (target._tag) {
          case "Webhook":
            return Effect.void
          case "AmoCrm":
            return checkAmoCrm(amo, target, brand)
          case "Bitrix24":
            return checkBitrix24(bitrix, target, brand)
        }
      }
    })
  })

/** The brands' CRMs over an undici Dispatcher (the shared pool, DispatcherLive, in production) and AppConfig. */
export const CrmLive = Layer.effect(Crm, makeCrm())

/** The same with other budgets (tests of the limiter against stand-ins that allow more). */
export const crmLiveWith = (rates: CrmRates) => Layer.effect(Crm, makeCrm(rates))
