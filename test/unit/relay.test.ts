import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricState, TestClock } from "effect"
import type { Update } from "grammy/types"

import { CrmConnectionError } from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { firstReplySeconds, repliesRelayed } from "../../src/metrics/metrics.js"
import { RelayDelivery } from "../../src/relay/RelayDelivery.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import {
  ADMIN,
  type ApiCall,
  botServices,
  recordingTelegram,
  scriptedCrm,
  testConfigWith
} from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const person = { id: 501, first_name: "Galliard", username: "betterrman" }
const manager = { id: 900, first_name: "Ольга", username: "olga_manager" }

/** A manager's text in the admin chat, replying to the message `replyTo` of it. */
const managerSays = (text: string, replyTo?: number, from: { is_bot?: boolean } = {}): Update => {
  const update = textUpdate(manager, text)
  const chat = { id: ADMIN, type: "supergroup", title: "Managers" } as const
  update.message!.chat = chat
  update.message!.from = { ...update.message!.from!, ...from }
  if (replyTo !== undefined) {
    ;(update.message as { reply_to_message?: unknown }).reply_to_message = { message_id: replyTo, date: 0, chat }
  }
  return update
}

/** A lead whose CRM is down: its fallback message in the admin chat, about `person`. */
const fallbackLead = (telegram: ReturnType<typeof recordingTelegram>) =>
  Effect.gen(function*() {
    yield* (yield* UpdateRouter).handle(tapUpdate(person, "lead:agency:clients"))
    yield* (yield* Delivery).awaitIdle
    const fallback = telegram.adminCalls().find((c) => c.method === "sendMessage")!
    return (fallback.result as { message_id: number }).message_id
  })

const relayed = (calls: ReadonlyArray<ApiCall>) =>
  calls.filter((c) => (c.method === "copyMessage" || c.method === "sendMessage") && Number(c.payload.chat_id) === 501)
    .filter((c) => !String(c.payload.text ?? "").startsWith("✅ Принято"))

const firstReplies = Metric.value(firstReplySeconds).pipe(
  Effect.map((state) => (MetricState.isHistogramState(state) ? state.count : NaN))
)

const counted = (result: string) =>
  Metric.value(Metric.tagged(repliesRelayed, "result", result)).pipe(
    Effect.map((state) => (MetricState.isCounterState(state) ? Number(state.count) : NaN))
  )

describe("a manager's reply in the admin chat reaches the person", () => {
  it.scoped("a reply to the fallback is copied to the person once (its update twice), and gets 👍", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm(Array.from({ length: 5 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const before = yield* counted("delivered")
      const firstBefore = yield* firstReplies
      const fallback = yield* fallbackLead(telegram)
      const router = yield* UpdateRouter
      const answer = managerSays("Какой сайт вы имеете в виду?", fallback)
      yield* router.handle(answer)
      yield* router.handle(answer) // Telegram again
      yield* (yield* RelayDelivery).awaitIdle
      const copies = relayed(telegram.calls)
      expect(copies.map((c) => [c.method, c.payload.from_chat_id, c.payload.message_id])).toEqual([
        ["copyMessage", ADMIN, answer.message!.message_id]
      ])
      const reaction = telegram.calls.find((c) => c.method === "setMessageReaction")
      expect(reaction?.payload).toMatchObject({
        chat_id: ADMIN,
        message_id: answer.message!.message_id,
        reaction: [{ type: "emoji", emoji: "👍" }]
      })
      expect((yield* counted("delivered")) - before).toBe(1)
      // The lead's first answer is timed once: a second one is not a first.
      yield* router.handle(managerSays("И ещё вопрос", fallback))
      yield* (yield* RelayDelivery).awaitIdle
      expect((yield* counted("delivered")) - before).toBe(2)
      expect((yield* firstReplies) - firstBefore).toBe(1)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("not relayed: a command, a bot's message, no reply, a reply about nobody, another chat's message", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm(Array.from({ length: 5 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const fallback = yield* fallbackLead(telegram)
      const router = yield* UpdateRouter
      yield* router.handle(managerSays("/pending", fallback))
      yield* router.handle(managerSays("from a bot", fallback, { is_bot: true }))
      yield* router.handle(managerSays("no reply at all"))
      yield* router.handle(managerSays("a reply to the /pending answer", fallback + 1000))
      // The same reply, written in another group the bot is in: only the admin chat's messages are relayed.
      const elsewhere = managerSays("from another group", fallback)
      elsewhere.message!.chat = { id: -100999, type: "supergroup", title: "Elsewhere" }
      yield* router.handle(elsewhere)
      yield* (yield* RelayDelivery).awaitIdle
      expect(relayed(telegram.calls)).toEqual([])
      // Nothing said either, beyond /pending's own answer.
      expect(telegram.adminCalls().filter((c) => String(c.payload.text ?? "").startsWith("⛔"))).toEqual([])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("the person blocked the bot: one notice to the manager, no retries", () => {
    const telegram = recordingTelegram((call) =>
      call.method === "copyMessage" && Number(call.payload.chat_id) === 501
        ? { error_code: 403, description: "Forbidden: bot was blocked by the user" }
        : undefined
    )
    const crm = scriptedCrm(Array.from({ length: 5 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const fallback = yield* fallbackLead(telegram)
      const answer = managerSays("Вы здесь?", fallback)
      yield* (yield* UpdateRouter).handle(answer)
      yield* (yield* RelayDelivery).awaitIdle
      yield* TestClock.adjust("1 minute")
      yield* (yield* RelayDelivery).awaitIdle
      expect(telegram.calls.filter((c) => c.method === "copyMessage" && Number(c.payload.chat_id) === 501))
        .toHaveLength(1)
      const notices = telegram.adminCalls().filter((c) => String(c.payload.text ?? "").startsWith("⛔"))
      expect(notices.map((c) => [c.payload.text, (c.payload.reply_parameters as { message_id: number }).message_id]))
        .toEqual([["⛔ Не доставлено: человек заблокировал бота", answer.message!.message_id]])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("a 5xx is retried with the backoff, and the person's messages keep their order", () => {
    let failures = 2
    const telegram = recordingTelegram((call) =>
      call.method === "copyMessage" && Number(call.payload.chat_id) === 501 && failures-- > 0
        ? { error_code: 500, description: "Internal Server Error" }
        : undefined
    )
    const crm = scriptedCrm(Array.from({ length: 5 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const fallback = yield* fallbackLead(telegram)
      const router = yield* UpdateRouter
      const first = managerSays("first", fallback)
      const second = managerSays("second", fallback)
      yield* router.handle(first)
      yield* router.handle(second)
      yield* (yield* RelayDelivery).awaitIdle
      for (let i = 0; i < 6; i++) {
        yield* TestClock.adjust("5 seconds")
        yield* (yield* RelayDelivery).awaitIdle
      }
      const delivered = telegram.calls.filter((c) =>
        c.method === "copyMessage" && Number(c.payload.chat_id) === 501 && c.result !== undefined
      )
      expect(delivered.map((c) => c.payload.message_id)).toEqual([
        first.message!.message_id,
        second.message!.message_id
      ])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("RELAY_SIGNATURE=name: a text is sent with the manager's first name on its last line", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm(Array.from({ length: 5 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const fallback = yield* fallbackLead(telegram)
      yield* (yield* UpdateRouter).handle(managerSays("Здравствуйте!", fallback))
      yield* (yield* RelayDelivery).awaitIdle
      expect(relayed(telegram.calls).map((c) => [c.method, c.payload.text])).toEqual([
        ["sendMessage", "Здравствуйте!\n— Ольга"]
      ])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer, testConfigWith({ relaySignature: "name" }))))
  })

  it.scoped("ADMIN_NOTIFY=all: a lead the CRM took gets a card; a reply to the card reaches the person", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(tapUpdate(person, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      expect(crm.sent).toHaveLength(1)
      const cards = telegram.adminCalls().filter((c) => c.method === "sendMessage")
      expect(cards.map((c) => c.payload.text)).toEqual([
        expect.stringMatching(
          /^🗂 <b>MONSTER AGENCY<\/b> · Привлечь клиентов\n<b>Контакт:<\/b> @betterrman[\s\S]*✅ в CRM/
        )
      ])
      const card = (cards[0]!.result as { message_id: number }).message_id
      const answer = managerSays("Добрый день!", card)
      yield* (yield* UpdateRouter).handle(answer)
      yield* (yield* RelayDelivery).awaitIdle
      expect(relayed(telegram.calls).map((c) => c.payload.message_id)).toEqual([answer.message!.message_id])
      // A second delivery round finds the card there: no second card.
      yield* TestClock.adjust("1 minute")
      yield* (yield* Delivery).awaitIdle
      expect(telegram.adminCalls().filter((c) => c.method === "sendMessage")).toHaveLength(1)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer, testConfigWith({ adminNotify: "all" }))))
  })

  it.scoped("ADMIN_NOTIFY=fallback (the default): a lead the CRM took makes no admin message", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(tapUpdate(person, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      expect(crm.sent).toHaveLength(1)
      expect(telegram.adminCalls()).toEqual([])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})
