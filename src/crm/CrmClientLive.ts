import { Effect, Layer } from "effect"

import { CrmClient } from "./CrmClient.js"
import { makeExchange } from "./http/exchange.js"
import { webhookSend } from "./webhook/webhookSend.js"

export const makeCrmClient = Effect.map(makeExchange, (exchange) => CrmClient.of({ send: webhookSend(exchange) }))

/** The live CRM client on `@effect/platform`'s HttpClient; needs an HttpClient (NodeHttpClient in production). */
export const CrmClientLive = Layer.effect(CrmClient, makeCrmClient)
