import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message, Update } from "grammy/types"

import { CrmConnectionError } from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { handledButton } from "../../src/telegram/buttons.js"
import { ADMIN, type ApiCall, botServices, recordingTelegram, scriptedCrm } from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const person = { id: 501, first_name: "Galliard", username: "betterrman" }
const manager = { id: 900, first_name: "Ольга", username: "olga_manager" }
const inAdminChat = (update: Update): Update => {
  const chat = { id: ADMIN, type: "supergroup", title: "Managers" } as const
  if (update.message) update.message.chat = chat
  if (update.callback_query?.message) update.callback_query.message.chat = chat
  return update
}
/** The first button of a message the bot sent. */
const buttonOf = (call: ApiCall): InlineKeyboardButton.CallbackButton =>
  (call.payload.reply_markup as InlineKeyboardMarkup).inline_keyboard[0]![0] as InlineKeyboardButton.CallbackButton

describe("/pending", () => {
  it.scoped("counts the leads that reached no human, oldest first, with the last error", () => {
    // The admin chat refuses fallback messages (but answers /pending): leads stay pending.
    const telegram = recordingTelegram((call) =>
      call.method === "sendMessage" && String(call.payload.text).includes("FALLBACK")
        ? { error_code: 500, description: "Internal Server Error" }
        : undefined
    )
    const crm = scriptedCrm(Array.from({ length: 100 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* TestClock.adjust("3 minutes")
      yield* router.handle(tapUpdate({ ...person, id: 502, username: "second" }, "lead:cg:ai_video"))
      yield* TestClock.adjust("2 minutes")
      yield* router.handle(inAdminChat(textUpdate(manager, "/pending")))
      const reply = telegram.adminCalls().filter((c) => !String(c.payload.text).includes("FALLBACK")).at(-1)!
      const text = String(reply.payload.text)
      expect(text).toContain("⏳ <b>Лидов, не дошедших до людей: 2</b>")
      expect(text).toContain("Самый старый ждёт 5 мин.")
      const lines = text.split("\n").filter((l) => l.startsWith("• "))
      expect(lines).toHaveLength(2)
      expect(lines[0]).toContain("MONSTER AGENCY — Привлечь клиентов — @betterrman")
      // One round a try: the CRM's error and the fallback's, together (each round failed both ways).
      expect(lines[0]).toMatch(
        /попыток: (\d+), последняя: CRM недоступна \(ошибка соединения\); чат менеджеров: ошибка Telegram 500/
      )
      const rounds = Number(/попыток: (\d+)/.exec(lines[0]!)![1])
      const fallbackTries = telegram.calls.filter((c) =>
        String(c.payload.text).includes("FALLBACK") && String(c.payload.text).includes("@betterrman")
      )
      expect(rounds).toBe(fallbackTries.length)
      expect(lines[1]).toContain("MONSTER CG — AI-видео — @second")
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})

describe("/pending: fallback leads not yet entered into the CRM", () => {
  it.scoped("listed after the undelivered, oldest first, each with a link to its message; a marked one is not", () => {
    const telegram = recordingTelegram()
    // The CRM stays down: none of them reaches it later (reconciliation), so all wait for a manager.
    const crm = scriptedCrm(Array.from({ length: 100 }, () => new CrmConnectionError({ detail: "refused" })))
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* TestClock.adjust("4 minutes")
      yield* router.handle(tapUpdate({ ...person, id: 502, username: "second" }, "lead:cg:ai_video"))
      yield* TestClock.adjust("1 minute")
      yield* router.handle(tapUpdate({ ...person, id: 503, username: "third" }, "lead:express:shop"))
      yield* delivery.awaitIdle
      const fallbacks = telegram.adminCalls().filter((c) => String(c.payload.text).includes("FALLBACK"))
      expect(fallbacks).toHaveLength(3)
      const done = buttonOf(fallbacks[1]!).callback_data
      yield* router.handle(inAdminChat(tapUpdate(manager, done)))
      yield* delivery.awaitIdle

      yield* router.handle(inAdminChat(textUpdate(manager, "/pending")))
      const text = String(telegram.adminCalls().at(-1)!.payload.text)
      expect(text).toContain("✅ Все лиды дошли до людей.")
      expect(text).toContain("📝 <b>Ждут внесения в CRM вручную: 2</b>\nСамый старый ждёт 5 мин.")
      const lines = text.split("\n").filter((l) => l.startsWith("• "))
      expect(lines).toHaveLength(2)
      expect(lines[0]).toContain("MONSTER AGENCY — Привлечь клиентов — @betterrman")
      expect(lines[0]).toContain(
        `<a href="https://t.me/c/500/${(fallbacks[0]!.result as Message).message_id}">сообщение</a>`
      )
      expect(lines[1]).toContain("MONSTER EXPRESS — Интернет-магазин — @third")
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("asked while the admin chat fails: answered once it works again", () => {
    let down = true
    const telegram = recordingTelegram((call) =>
      down && Number(call.payload.chat_id) === ADMIN
        ? { error_code: 500, description: "Internal Server Error" }
        : undefined
    )
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(inAdminChat(textUpdate(manager, "/pending")))
      yield* router.handle(inAdminChat(textUpdate(manager, "/pending"))) // asked twice: answered once
      const answers = () => telegram.adminCalls().filter((c) => c.result !== undefined)
      yield* TestClock.adjust("10 seconds")
      expect(answers()).toHaveLength(0)
      down = false
      yield* TestClock.adjust("1 minute")
      expect(answers().map((c) => c.payload.text)).toEqual(["✅ Все лиды дошли до людей: ожидающих нет."])
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})

describe("“✅ Внесено в CRM”", () => {
  it.scoped("allowed in the admin chat (once), refused from anywhere else", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm([new CrmConnectionError({ detail: "refused" })])
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* delivery.awaitIdle
      const fallback = telegram.adminCalls()[0]!
      const button = buttonOf(fallback)
      expect(button.text).toBe("✅ Внесено в CRM")

      yield* router.handle(tapUpdate(person, button.callback_data))
      yield* router.handle(inAdminChat(tapUpdate(manager, button.callback_data)))
      yield* delivery.awaitIdle
      yield* router.handle(inAdminChat(tapUpdate(manager, button.callback_data)))
      const answers = telegram.calls.filter((c) => c.method === "answerCallbackQuery").slice(-3).map((c) =>
        c.payload.text
      )
      expect(answers).toEqual([
        "Эта кнопка — для менеджеров в рабочем чате.",
        "✅ Отмечено: лид внесён в CRM.",
        "Этот лид уже отмечен."
      ])
      const edits = telegram.adminCalls().filter((c) => c.method === "editMessageText")
      expect(edits).toHaveLength(1)
      expect(String(edits[0]!.payload.text)).toContain("✅ <b>Внесено в CRM:</b> @olga_manager, ")
      // Its button goes; the lead's "🙋 Беру" stays (nobody took it).
      expect(edits[0]!.payload.reply_markup).toEqual({
        inline_keyboard: [[{ text: "🙋 Беру", callback_data: `take:${button.callback_data.slice("done:".length)}` }]]
      })
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("pressed for a lead the store no longer has (its person's data deleted on request): says so", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(inAdminChat(tapUpdate(manager, handledButton("a-forgotten-lead"))))
      const answer = telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)
      expect(answer?.payload.text).toBe("Этого лида больше нет: данные человека удалены по его запросу.")
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})
