// The README's mock-Layer example, verbatim: if it stops working, this fails.
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"

import { CrmTimeoutError } from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { Funnel } from "../../src/funnel/Funnel.js"
import { botServices, recordingTelegram, scriptedCrm } from "../support/testLayers.js"
import { tapUpdate } from "../support/updates.js"

it.scoped("a CRM timeout reaches the admin chat with its reason", () => {
  const telegram = recordingTelegram()
  const crm = scriptedCrm([new CrmTimeoutError({ timeoutMs: 10_000 })])
  return Effect.gen(function*() {
    yield* (yield* Funnel).handle(tapUpdate({ id: 1, first_name: "Ann" }, "lead:agency:clients"))
    yield* (yield* Delivery).awaitIdle
    const [fallback] = telegram.adminCalls()
    expect(fallback!.payload.text).toContain("<b>Причина:</b> CRM не ответила за 10 с (таймаут)")
  }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
})
