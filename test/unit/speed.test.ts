import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Redacted, TestClock } from "effect"
import type { InlineKeyboardMarkup, Update } from "grammy/types"

import { CrmConnectionError } from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { ReminderLoop } from "../../src/managers/reminders/ReminderLoop.js"
import { decodeLocales, makeProfiles, Profiles } from "../../src/profiles/Profiles.js"
import { RelayDelivery } from "../../src/relay/RelayDelivery.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { type LocalesJson, localesWith } from "../support/locales.js"
import {
  ADMIN,
  type ApiCall,
  botServices,
  lastingStores,
  noPerBrand,
  perBrandOf,
  recordingTelegram,
  scriptedCrm,
  testConfigWith
} from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const person = { id: 501, first_name: "Galliard", username: "betterrman" }
const anna = { id: 900, first_name: "Анна", username: "anna" }
const boris = { id: 901, first_name: "Борис" }

const profilesWith = (change: (j: LocalesJson) => void) =>
  Layer.effect(
    Profiles,
    makeProfiles(Either.getOrThrow(decodeLocales(localesWith(change))), {
      ...noPerBrand,
      CRM_WEBHOOK_URL: perBrandOf(
        "CRM_WEBHOOK_URL",
        Object.fromEntries(["agency", "cg", "express"].map((b) => [b, Redacted.make(`http://crm.test/${b}`)]))
      )
    }).pipe(Effect.map(Profiles.make))
  )

const crmDown = () => scriptedCrm(Array.from({ length: 20 }, () => new CrmConnectionError({ detail: "refused" })))

/** The bot's services with its reminders' loop, for a brand reminded after `sla` minutes (hours as given). */
const withReminders = (
  telegram: ReturnType<typeof recordingTelegram>,
  change: (j: LocalesJson) => void,
  stores?: Parameters<typeof botServices>[4]
) =>
  ReminderLoop.Default.pipe(
    Layer.provideMerge(
      botServices(
        telegram.layer,
        crmDown().layer,
        testConfigWith({ adminTimeZone: "Europe/Moscow" }),
        profilesWith(change),
        stores
      )
    )
  )

const inAdminChat = (update: Update, replyTo?: number): Update => {
  const chat = { id: ADMIN, type: "supergroup", title: "Managers" } as const
  if (update.message) {
    update.message.chat = chat
    if (replyTo !== undefined) {
      Object.assign(update.message, { reply_to_message: { message_id: replyTo, date: 0, chat } })
    }
  }
  if (update.callback_query?.message) update.callback_query.message.chat = chat
  return update
}
const buttons = (call: ApiCall) =>
  ((call.payload.reply_markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? []).flat()
const fallbackOf = (telegram: ReturnType<typeof recordingTelegram>) =>
  telegram.adminCalls().find((c) => c.method === "sendMessage" && String(c.payload.text).includes("FALLBACK"))!
const idOf = (call: ApiCall) => (call.result as { message_id: number }).message_id
const answers = (telegram: ReturnType<typeof recordingTelegram>) =>
  telegram.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.payload.text)
const reminders = (telegram: ReturnType<typeof recordingTelegram>) =>
  telegram.adminCalls().filter((c) => c.method === "sendMessage" && String(c.payload.text).startsWith("⏰"))

describe("🙋 Беру: one taker a lead", () => {
  it.scoped("on the fallback: the first press takes the lead, the line shows who; another gets the pop-up", () => {
    const telegram = recordingTelegram()
    const program = Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* delivery.awaitIdle
      const fallback = fallbackOf(telegram)
      expect(buttons(fallback).map((b) => b.text)).toEqual(["✅ Внесено в CRM", "🙋 Беру"])
      const take = buttons(fallback).find((b) => b.text === "🙋 Беру") as { callback_data: string }
      yield* router.handle(inAdminChat(tapUpdate(anna, take.callback_data)))
      yield* delivery.awaitIdle
      yield* router.handle(inAdminChat(tapUpdate(boris, take.callback_data)))
      yield* router.handle(inAdminChat(tapUpdate(anna, take.callback_data)))
      expect(answers(telegram).slice(-3)).toEqual(["🙋 Лид ваш.", "Лид уже взял(а) Анна", "Лид уже взял(а) Анна"])
      const edits = telegram.adminCalls().filter((c) => c.method === "editMessageText")
      expect(edits).toHaveLength(1)
      expect(edits[0]!.payload.message_id).toBe(idOf(fallback))
      expect(String(edits[0]!.payload.text)).toContain("<b>Взял(а):</b> Анна (@anna), 12:03")
      expect(buttons(edits[0]!).map((b) => b.text)).toEqual(["✅ Внесено в CRM"])
    }).pipe(
      Effect.provide(botServices(telegram.layer, crmDown().layer, testConfigWith({ adminTimeZone: "Europe/Moscow" })))
    )
    // The clock is set before the bot starts (moving it years on under running loops would run each of their turns).
    return TestClock.setTime(Date.UTC(2026, 11, 7, 9, 3)).pipe(Effect.zipRight(program))
  })

  it.scoped("a manager's reply relayed to the person takes an untaken lead, by the replier", () => {
    const telegram = recordingTelegram()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      const fallback = fallbackOf(telegram)
      yield* router.handle(inAdminChat(textUpdate(boris, "Здравствуйте!"), idOf(fallback)))
      yield* (yield* RelayDelivery).awaitIdle
      yield* TestClock.adjust("2 seconds") // the take makes the lead due: delivery finds it
      yield* (yield* Delivery).awaitIdle
      const edit = telegram.adminCalls().find((c) => c.method === "editMessageText")!
      expect(String(edit.payload.text)).toContain("<b>Взял(а):</b> Борис,")
      expect(buttons(edit).map((b) => b.text)).toEqual(["✅ Внесено в CRM"])
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer)))
  })
})

describe("reminders of a lead nobody took or answered", () => {
  const slaOne = (j: LocalesJson) => (j.profiles.agency.sla_minutes = 1)

  it.scoped("at the minute, then every sla_minutes, at most three", () => {
    const telegram = recordingTelegram()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      const fallback = fallbackOf(telegram)
      yield* TestClock.adjust("59 seconds")
      expect(reminders(telegram)).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      const [first] = reminders(telegram)
      expect(first?.payload.text).toBe("⏰ Лид ждёт ответа 1 мин: MONSTER AGENCY · Привлечь клиентов · Galliard")
      expect(first?.payload.reply_parameters).toMatchObject({ message_id: idOf(fallback) })
      for (let i = 0; i < 4; i++) yield* TestClock.adjust("1 minute")
      expect(reminders(telegram).map((c) => String(c.payload.text).match(/\d+ мин/)?.[0])).toEqual([
        "1 мин",
        "2 мин",
        "3 мин"
      ])
    }).pipe(Effect.provide(withReminders(telegram, slaOne)))
  })

  it.scoped("none once the lead is taken, or answered", () => {
    const telegram = recordingTelegram()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(tapUpdate(person, "lead:agency:clients"))
      yield* router.handle(tapUpdate({ id: 502, first_name: "Second" }, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      const [first, second] = telegram.adminCalls().filter((c) => String(c.payload.text).includes("FALLBACK"))
      const take = buttons(first!).find((b) => b.text === "🙋 Беру") as { callback_data: string }
      yield* TestClock.adjust("30 seconds")
      yield* router.handle(inAdminChat(tapUpdate(anna, take.callback_data)))
      yield* router.handle(inAdminChat(textUpdate(boris, "Здравствуйте!"), idOf(second!)))
      yield* (yield* RelayDelivery).awaitIdle
      yield* TestClock.adjust("3 minutes")
      expect(reminders(telegram)).toHaveLength(0)
    }).pipe(Effect.provide(withReminders(telegram, slaOne)))
  })

  it.scoped("hours: a lead at 23:40 on a Tuesday is reminded at 10:15 on Wednesday, once across restarts", () => {
    const telegram = recordingTelegram()
    const hoursAndSla = (j: LocalesJson) => {
      j.profiles.agency.sla_minutes = 15
      j.profiles.agency.hours = { days: "mon-fri", from: "10:00", to: "19:00" }
    }
    // 2026-12-08 is a Tuesday; Moscow is UTC+3. Between runs nothing runs, so the clock moves at no cost.
    const run = <A, E, R>(stores: Parameters<typeof botServices>[4], program: Effect.Effect<A, E, R>) =>
      program.pipe(Effect.provide(withReminders(telegram, hoursAndSla, stores)), Effect.scoped)
    const aSecondLater = TestClock.adjust("1 second").pipe(
      Effect.zipRight(Effect.flatMap(ReminderLoop, (r) => r.awaitIdle))
    )
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 11, 8, 20, 40))
      const stores = yield* lastingStores
      yield* run(
        stores,
        UpdateRouter.pipe(
          Effect.flatMap((router) => router.handle(tapUpdate(person, "lead:agency:clients"))),
          Effect.zipRight(Effect.flatMap(Delivery, (d) => d.awaitIdle))
        )
      )
      yield* TestClock.setTime(Date.UTC(2026, 11, 9, 7, 14)) // Wednesday 10:14
      yield* run(stores, aSecondLater)
      expect(reminders(telegram)).toHaveLength(0)
      yield* TestClock.setTime(Date.UTC(2026, 11, 9, 7, 15)) // 10:15
      yield* run(stores, aSecondLater)
      expect(reminders(telegram)).toHaveLength(1)
      yield* run(stores, aSecondLater) // a restart: the reminder was counted, it is not sent again
      expect(reminders(telegram).map((c) => c.payload.text)).toEqual([
        "⏰ Лид ждёт ответа 15 мин: MONSTER AGENCY · Привлечь клиентов · Galliard"
      ])
    })
  })
})

describe("reply templates", () => {
  const withTemplates = (
    j: LocalesJson
  ) => (j.profiles.agency.templates = {
    price: "Здравствуйте, {name}! Прайс {brand} на «{service}»: <b>от 50 000 ₽</b>."
  })

  it.scoped("/t <key> sends the template to the person, filled and escaped; /t and an unknown key list keys", () => {
    const telegram = recordingTelegram()
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      yield* router.handle(tapUpdate({ ...person, first_name: "<Гал>" }, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      const fallback = idOf(fallbackOf(telegram))
      yield* router.handle(inAdminChat(textUpdate(anna, "/t"), fallback))
      yield* router.handle(inAdminChat(textUpdate(anna, "/t nope"), fallback))
      yield* router.handle(inAdminChat(textUpdate(anna, "/t price"), fallback))
      yield* (yield* RelayDelivery).awaitIdle
      const listed = telegram.adminCalls().filter((c) => String(c.payload.text).startsWith("Шаблоны"))
      expect(listed.map((c) => c.payload.text)).toEqual([
        "Шаблоны MONSTER AGENCY: <code>price</code>. Ответьте <code>/t ключ</code>.",
        "Шаблоны MONSTER AGENCY: <code>price</code>. Ответьте <code>/t ключ</code>."
      ])
      const sent = telegram.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === person.id).at(-1)!
      expect(sent.payload).toMatchObject({
        text: "Здравствуйте, &lt;Гал&gt;! Прайс MONSTER AGENCY на «Привлечь клиентов»: <b>от 50 000 ₽</b>.",
        parse_mode: "HTML"
      })
      expect(telegram.calls.some((c) => c.method === "setMessageReaction")).toBe(true)
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer, undefined, profilesWith(withTemplates))))
  })

  it.each<readonly [string, (j: LocalesJson) => void, RegExp]>([
    [
      "a template key outside a-z 0-9 _",
      (j) => (j.profiles.agency.templates = { "Цена": "x" }),
      /^profiles\.agency\.templates/
    ],
    [
      "an unknown placeholder",
      (j) => (j.profiles.agency.templates = { price: "{phone}" }),
      /^profiles\.agency\.templates\.price: unknown placeholder \{phone\}/
    ],
    [
      "bad HTML",
      (j) => (j.profiles.agency.templates = { price: "<b>x" }),
      /^profiles\.agency\.templates\.price: not valid Telegram HTML/
    ],
    [
      "sla_minutes 0",
      (j) => (j.profiles.agency.sla_minutes = 0),
      /^profiles\.agency\.sla_minutes: expected whole minutes from 1 to 1440/
    ],
    [
      "sla_minutes 1441",
      (j) => (j.profiles.agency.sla_minutes = 1441),
      /^profiles\.agency\.sla_minutes: expected whole minutes/
    ]
  ])("%s stops start-up naming its JSON path", (_, change, line) => {
    const decoded = decodeLocales(localesWith(change))
    expect(Either.isLeft(decoded) && decoded.left).toMatch(line)
  })
})

describe("/stats: who answered how fast", () => {
  it.scoped("per manager the leads taken, people answered first and the median; per brand the leads reminded", () => {
    const telegram = recordingTelegram()
    const config = testConfigWith({ adminTimeZone: "Europe/Moscow" })
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      const people = [501, 502, 503].map((id) => ({ id, first_name: `P${id}` }))
      for (const p of people) {
        yield* router.handle(tapUpdate(p, "lead:agency:clients"))
        yield* delivery.awaitIdle
      }
      const fallbacks = telegram.adminCalls().filter((c) => String(c.payload.text).includes("FALLBACK")).map(idOf)
      yield* TestClock.adjust("2 minutes") // each lead reminded (sla 1)
      yield* (yield* ReminderLoop).awaitIdle
      // Anna takes the first two by answering them, 2 and 6 minutes after the leads came.
      yield* router.handle(inAdminChat(textUpdate(anna, "Здравствуйте"), fallbacks[0]))
      yield* (yield* RelayDelivery).awaitIdle
      yield* TestClock.adjust("4 minutes")
      yield* router.handle(inAdminChat(textUpdate(anna, "Добрый день"), fallbacks[1]))
      yield* (yield* RelayDelivery).awaitIdle
      yield* router.handle(inAdminChat(textUpdate(boris, "/stats")))
      const table = String(telegram.adminCalls().find((c) => String(c.payload.text).startsWith("📊"))!.payload.text)
      expect(table).toContain("👥 <b>Менеджеры</b>")
      expect(table).toContain("Анна (@anna)\n      2      2     4м")
      expect(table).toContain("⏰ Напоминаний о лидах: MONSTER AGENCY — 3")
    }).pipe(
      Effect.provide(
        ReminderLoop.Default.pipe(Layer.provideMerge(
          botServices(
            telegram.layer,
            crmDown().layer,
            config,
            profilesWith((j) => (j.profiles.agency.sla_minutes = 1))
          )
        ))
      )
    )
  })
})
