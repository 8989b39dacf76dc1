import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Layer, Metric, Option, TestClock } from "effect"
import type { InlineKeyboardMarkup, Update } from "grammy/types"

import { Crm } from "../../src/crm/Crm.js"
import { CrmConnectionError, CrmTimeoutError } from "../../src/crm/CrmError.js"
import { type CrmPayload, crmPayload } from "../../src/crm/CrmPayload.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { Reconciliation } from "../../src/delivery/Reconciliation.js"
import { DUPLICATE_WARNING } from "../../src/managers/views/render.js"
import { leadsReconciled } from "../../src/metrics/metrics.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { HANDLED_BUTTON_TEXT } from "../../src/telegram/buttons.js"
import { ADMIN, type ApiCall, botServices, recordingTelegram, testConfigWith } from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const person = { id: 501, first_name: "Galliard", username: "betterrman" }
const manager = { id: 900, first_name: "Ольга", username: "olga_manager" }
const refused = () => new CrmConnectionError({ detail: "connect ECONNREFUSED", code: "ECONNREFUSED" })

const inAdminChat = (update: Update): Update => {
  const chat = { id: ADMIN, type: "supergroup", title: "Managers" } as const
  if (update.callback_query?.message) update.callback_query.message.chat = chat
  return update
}

/** What one delivery to the CRM does: fail, succeed, or wait for the test (then succeed or fail). */
type Step = "ok" | CrmConnectionError | CrmTimeoutError | Deferred.Deferred<"ok" | CrmConnectionError>

/** A webhook CRM that plays `script` (then takes every lead), keeping each payload it was sent. */
const crmPlaying = (script: Array<Step>) => {
  const sent: Array<CrmPayload> = []
  const layer = Layer.succeed(
    Crm,
    Crm.of({
      deliver: (_target, lead, extras) =>
        Effect.gen(function*() {
          sent.push(crmPayload(lead, extras.utm, extras.phone, extras.followUps))
          const step = script.shift() ?? "ok"
          const now = typeof step === "string" || step instanceof Error ? step : yield* Deferred.await(step)
          return now === "ok" ? { _tag: "Webhook" as const } : yield* Effect.fail(now)
        }),
      findExisting: () => Effect.succeed(Option.none()),
      addNote: () => Effect.die("a webhook takes no notes"),
      updatePhone: () => Effect.die("a webhook takes no phone later"),
      check: () => Effect.void
    })
  )
  return { sent, layer }
}

const markupOf = (call: ApiCall) => call.payload.reply_markup as InlineKeyboardMarkup | undefined
const buttonTexts = (call: ApiCall) => (markupOf(call)?.inline_keyboard ?? []).flat().map((b) => b.text)

/** Everything settles: the reconciliation's tries whose time came, and the edits they cause. */
const settle = Effect.gen(function*() {
  yield* (yield* Reconciliation).awaitIdle
  yield* TestClock.adjust("1 second")
  yield* (yield* Reconciliation).awaitIdle
  yield* (yield* Delivery).awaitIdle
})

/** The person taps a service; the CRM fails, so the lead falls back. The fallback's message. */
const tapToFallback = Effect.gen(function*() {
  const router = yield* UpdateRouter
  yield* router.handle(tapUpdate(person, "lead:agency:clients"))
  yield* (yield* Delivery).awaitIdle
})

describe("Reconciliation: a fallback lead reaches its CRM once the CRM is back", () => {
  it.scoped("the CRM back: the lead goes once, with the follow-ups and phone; the message edited, no button", () => {
    const telegram = recordingTelegram()
    const crm = crmPlaying([refused(), refused(), refused()])
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const before = (yield* Metric.value(Metric.tagged(leadsReconciled, "brand", "agency"))).count
      yield* tapToFallback
      yield* TestClock.adjust("1 second")
      const wroteAt = yield* Clock.currentTimeMillis
      yield* router.handle(textUpdate(person, "мой сайт example.com"))
      yield* router.handle(textUpdate(person, "+79990001122"))
      yield* (yield* Delivery).awaitIdle
      for (let i = 0; i < 6; i++) {
        yield* TestClock.adjust("5 seconds")
        yield* settle
      }
      // The first try failed (fallback), two reconciliations failed, the third took it; none after.
      expect(crm.sent).toHaveLength(4)
      const last = crm.sent.at(-1)!
      expect(last.lead_id).toBe(crm.sent[0]!.lead_id)
      expect(last.contact.phone).toBe("+79990001122")
      expect(last.follow_ups).toEqual([{ text: "мой сайт example.com", at: wroteAt }])

      const edits = telegram.adminCalls().filter((c) => c.method === "editMessageText")
      const final = edits.at(-1)!
      expect(String(final.payload.text)).toMatch(
        /✅ <b>Доставлено в CRM автоматически<\/b>, \d\d\.\d\d\.\d{4}, \d\d:\d\d/
      )
      expect(String(final.payload.text)).toContain("мой сайт example.com")
      expect(buttonTexts(final)).not.toContain(HANDLED_BUTTON_TEXT)
      expect(buttonTexts(final)).toContain("🙋 Беру")
      expect(yield* (yield* LeadStore).awaitingEntry).toEqual([])
      const after = (yield* Metric.value(Metric.tagged(leadsReconciled, "brand", "agency"))).count
      expect(after - before).toBe(1)

      // A manager's press now: the CRM has it already.
      const handled = markupOf(telegram.adminCalls().find((c) => c.method === "sendMessage")!)!.inline_keyboard[0]![0]!
      yield* router.handle(inAdminChat(tapUpdate(manager, (handled as { callback_data: string }).callback_data)))
      const answer = telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!
      expect(answer.payload.text).toBe("Этот лид уже в CRM (доставлен автоматически)")
      expect(Option.getOrThrow(yield* (yield* LeadStore).get(last.lead_id)).handled).toEqual(Option.none())
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  for (const outcome of ["ok", "failed"] as const) {
    const said = outcome === "ok" ? "both said" : "dropped"
    it.scoped(`a press while an attempt is under way wins; the attempt ${outcome}: ${said}`, () => {
      const telegram = recordingTelegram()
      const gate = Effect.runSync(Deferred.make<"ok" | CrmConnectionError>())
      const crm = crmPlaying([refused(), gate])
      return Effect.gen(function*() {
        const router = yield* UpdateRouter
        yield* tapToFallback
        const fallback = telegram.adminCalls().find((c) => c.method === "sendMessage")!
        // The reconciliation's try is under way (the CRM holds it)…
        yield* TestClock.adjust("2 seconds")
        yield* Effect.yieldNow()
        expect(crm.sent).toHaveLength(2)
        // …when a manager presses "✅ Внесено в CRM".
        const data = (markupOf(fallback)!.inline_keyboard[0]![0] as { callback_data: string }).callback_data
        yield* router.handle(inAdminChat(tapUpdate(manager, data)))
        expect(telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.payload.text).toBe(
          "✅ Отмечено: лид внесён в CRM."
        )
        yield* Deferred.succeed(gate, outcome === "ok" ? "ok" : refused())
        for (let i = 0; i < 4; i++) {
          yield* TestClock.adjust("1 minute")
          yield* settle
        }
        expect(crm.sent).toHaveLength(2) // never offered again after the press
        const text = String(telegram.adminCalls().filter((c) => c.method === "editMessageText").at(-1)!.payload.text)
        expect(text).toContain("✅ <b>Внесено в CRM:</b> @olga_manager")
        if (outcome === "ok") {
          expect(text).toContain("Доставлено в CRM автоматически")
          expect(text).toContain(DUPLICATE_WARNING)
        } else {
          expect(text).not.toContain("Доставлено в CRM автоматически")
          expect(text).not.toContain(DUPLICATE_WARNING)
        }
      }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
    })
  }

  it.scoped("in a forum: the fallback in the person's topic is the message edited", () => {
    const telegram = recordingTelegram(undefined, { forum: true })
    const crm = crmPlaying([refused()])
    return Effect.gen(function*() {
      yield* tapToFallback
      const fallback = telegram.adminCalls().find((c) => c.method === "sendMessage")!
      expect(fallback.payload.message_thread_id).toEqual(expect.any(Number))
      yield* TestClock.adjust("2 seconds")
      yield* settle
      const edit = telegram.adminCalls().filter((c) => c.method === "editMessageText").at(-1)!
      expect(edit.payload.message_id).toBe((fallback.result as { message_id: number }).message_id)
      expect(String(edit.payload.text)).toContain("Доставлено в CRM автоматически")
      expect(buttonTexts(edit)).not.toContain(HANDLED_BUTTON_TEXT)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("a timeout: the fallback says the CRM may have it, and the retry carries the same lead_id", () => {
    const telegram = recordingTelegram()
    const crm = crmPlaying([new CrmTimeoutError({ timeoutMs: 10_000 })])
    return Effect.gen(function*() {
      yield* tapToFallback
      const fallback = telegram.adminCalls().find((c) => c.method === "sendMessage")!
      expect(String(fallback.payload.text)).toContain(
        "<b>Причина:</b> CRM не ответила вовремя — лид может уже быть в CRM"
      )
      yield* TestClock.adjust("2 seconds")
      yield* settle
      expect(crm.sent.map((p) => p.lead_id)).toEqual([crm.sent[0]!.lead_id, crm.sent[0]!.lead_id])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("CRM_RECONCILE_HOURS=0: a fallback is never offered again (today's behaviour)", () => {
    const telegram = recordingTelegram()
    const crm = crmPlaying([refused()])
    return Effect.gen(function*() {
      yield* tapToFallback
      for (let i = 0; i < 5; i++) {
        yield* TestClock.adjust("1 minute")
        yield* settle
      }
      expect(crm.sent).toHaveLength(1)
      expect(yield* (yield* LeadStore).awaitingEntry).toHaveLength(1)
      expect(telegram.adminCalls().filter((c) => c.method === "editMessageText")).toEqual([])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer, testConfigWith({ crmReconcileHours: 0 }))))
  })

  it.scoped("its time up (CRM_RECONCILE_HOURS from the tap, here 3 minutes), it is left to the managers", () => {
    const telegram = recordingTelegram()
    const crm = crmPlaying(Array.from({ length: 10_000 }, refused))
    return Effect.gen(function*() {
      yield* tapToFallback
      for (let i = 0; i < 8; i++) {
        yield* TestClock.adjust("30 seconds")
        yield* settle
      }
      const tries = crm.sent.length
      expect(tries).toBeGreaterThan(4)
      yield* TestClock.adjust("10 minutes")
      yield* settle
      expect(crm.sent.length).toBe(tries)
      const record = Option.getOrThrow(yield* (yield* LeadStore).get(crm.sent[0]!.lead_id))
      expect(record.reconcile.dueAt).toEqual(Option.none())
      expect(yield* (yield* LeadStore).awaitingEntry).toHaveLength(1)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer, testConfigWith({ crmReconcileHours: 0.05 }))))
  })
})
