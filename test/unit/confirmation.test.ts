import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

import { Delivery } from "../../src/delivery/Delivery.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { botServices, recordingTelegram, scriptedCrm } from "../support/testLayers.js"
import { tapUpdate } from "../support/updates.js"

const galliard = { id: 501, first_name: "Galliard", username: "betterrman" }

describe("the person's confirmation is part of the lead", () => {
  it.scoped("a tap never confirmed is confirmed when its update is replayed, once; a new tap gets the pop-up", () => {
    let confirmationFails = true
    const telegram = recordingTelegram((call) =>
      call.method === "sendMessage" && Number(call.payload.chat_id) === galliard.id && confirmationFails
        ? { error_code: 500, description: "Internal Server Error" }
        : undefined
    )
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const tap = tapUpdate(galliard, "lead:agency:clients")
      const confirmations = () =>
        telegram.calls.filter((c) =>
          c.method === "sendMessage" && c.result !== undefined && String(c.payload.text).startsWith("✅ Принято")
        )

      yield* router.handle(tap)
      expect(confirmations()).toHaveLength(0)

      confirmationFails = false
      yield* router.handle(tap) // the same update again, as after a restart
      expect(confirmations()).toHaveLength(1)
      expect(String(confirmations()[0]!.payload.text)).toContain("Чтобы ускорить процесс")

      yield* router.handle(tap) // replayed once more: already confirmed
      const again = tapUpdate(galliard, "lead:agency:clients") // a genuine second tap
      yield* router.handle(again)
      expect(confirmations()).toHaveLength(1)
      const popUps = telegram.calls.filter((c) =>
        c.method === "answerCallbackQuery" && c.payload.text === "✅ Эта заявка уже принята."
      )
      expect(popUps.map((c) => c.payload.callback_query_id)).toEqual([tap.callback_query!.id, again.callback_query!.id])

      yield* (yield* Delivery).awaitIdle
      expect(crm.sent).toHaveLength(1)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})
