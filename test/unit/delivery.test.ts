import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Option, TestClock } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"

import { Crm } from "../../src/crm/Crm.js"
import {
  CrmClientError,
  CrmConnectionError,
  type CrmError,
  CrmHttpStatusError,
  CrmTimeoutError,
  CrmUnknownError
} from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { Ids } from "../../src/lead/Ids.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { FollowUpState } from "../../src/store/FollowUpState.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { handledButton } from "../../src/telegram/buttons.js"
import { botServices, recordingTelegram, scriptedCrm } from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const galliard = { id: 501, first_name: "Galliard", username: "betterrman" }
const AGENCY_LEAD = "lead:agency:clients"

const cases: ReadonlyArray<readonly [CrmError, string]> = [
  [
    new CrmConnectionError({ detail: "connect ECONNREFUSED 127.0.0.1:9", code: "ECONNREFUSED" }),
    "<b>Причина:</b> CRM-сервер недоступен (ошибка соединения): connect ECONNREFUSED 127.0.0.1:9"
  ],
  // The CRM may have the lead: a reset once the request was sent, no answer in time (the manager checks first).
  [
    new CrmConnectionError({ detail: "socket hang up", code: "ECONNRESET" }),
    "<b>Причина:</b> CRM не ответила вовремя — лид может уже быть в CRM"
  ],
  [
    new CrmHttpStatusError({ status: 500, bodyExcerpt: "Internal Server Error" }),
    "<b>Причина:</b> CRM ответила ошибкой: HTTP 500 — Internal Server Error"
  ],
  [new CrmTimeoutError({ timeoutMs: 10_000 }), "<b>Причина:</b> CRM не ответила вовремя — лид может уже быть в CRM"],
  [
    new CrmClientError({ detail: "InvalidUrl: not a URL" }),
    "<b>Причина:</b> ошибка HTTP-клиента: InvalidUrl: not a URL"
  ],
  [
    new CrmUnknownError({ detail: "<boom> & co", cause: new Error("boom") }),
    "<b>Причина:</b> непредвиденная ошибка: &lt;boom&gt; &amp; co"
  ]
]

/** Taps a service, lets delivery finish, returns what the admin chat got. */
const tapAndDeliver = (data = AGENCY_LEAD) =>
  Effect.gen(function*() {
    const router = yield* UpdateRouter
    const delivery = yield* Delivery
    yield* router.handle(tapUpdate(galliard, data))
    yield* delivery.awaitIdle
  })

describe("Delivery: CRM first, the admin chat on any CrmError", () => {
  it.scoped("a lead's id comes from the Ids service (here fixed by the test): the fallback's button names it", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm([new CrmTimeoutError({ timeoutMs: 10_000 })])
    return tapAndDeliver().pipe(
      Effect.provideService(Ids, { next: Effect.succeed("lead-from-the-test") }),
      Effect.andThen(() => {
        const [fallback] = telegram.adminCalls()
        const markup = fallback!.payload.reply_markup as InlineKeyboardMarkup
        expect(markup.inline_keyboard[0]![0]).toMatchObject({ callback_data: handledButton("lead-from-the-test") })
      }),
      Effect.provide(botServices(telegram.layer, crm.layer))
    )
  })

  for (const [error, reason] of cases) {
    it.scoped(`${error._tag} → fallback with its reason`, () => {
      const telegram = recordingTelegram()
      const crm = scriptedCrm([error])
      return tapAndDeliver().pipe(
        Effect.andThen(() => {
          const admin = telegram.adminCalls()
          expect(admin).toHaveLength(1)
          expect(admin[0]!.method).toBe("sendMessage")
          expect(admin[0]!.payload.parse_mode).toBe("HTML")
          expect(String(admin[0]!.payload.text)).toContain(reason)
          expect(String(admin[0]!.payload.text)).toContain("<b>Запрос:</b> Привлечь клиентов")
          expect(crm.sent).toHaveLength(1)
        }),
        Effect.provide(botServices(telegram.layer, crm.layer))
      )
    })
  }

  it.scoped("success → no admin message, outcome recorded", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm(["ok"])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      expect(telegram.adminCalls()).toHaveLength(0)
      const [record] = yield* LeadStore.pipe(Effect.flatMap((s) => s.undelivered))
      expect(record).toBeUndefined()
      expect(crm.sent[0]).toMatchObject({ request_details: "Привлечь клиентов", contact: { username: "@betterrman" } })
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("the person's confirmation is sent before delivery runs", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm([new CrmTimeoutError({ timeoutMs: 10_000 })])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      const order = telegram.calls.map((c) =>
        `${c.method}:${Number(c.payload.chat_id) === galliard.id ? "user" : "admin"}`
      )
      expect(order).toContain("sendMessage:user")
      expect(order).toContain("sendMessage:admin")
      expect(order.indexOf("sendMessage:user")).toBeLessThan(order.indexOf("sendMessage:admin"))
      expect(telegram.calls[0]!.method).toBe("answerCallbackQuery")
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("the admin chat failing too: pending, retried with backoff, each attempt recorded", () => {
    let failures = 2
    const telegram = recordingTelegram((call) =>
      call.method === "sendMessage" && Number(call.payload.chat_id) < 0 && failures-- > 0
        ? { error_code: 500, description: "Internal Server Error" }
        : undefined
    )
    const crm = scriptedCrm([
      new CrmHttpStatusError({ status: 503, bodyExcerpt: "" }),
      new CrmHttpStatusError({ status: 503, bodyExcerpt: "" }),
      new CrmHttpStatusError({ status: 503, bodyExcerpt: "" })
    ])
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const leads = yield* LeadStore
      yield* router.handle(tapUpdate(galliard, AGENCY_LEAD))
      yield* Effect.yieldNow()
      const [pending] = yield* leads.undelivered
      expect(pending).toBeDefined()
      yield* TestClock.adjust("1 minute")
      const delivery = yield* Delivery
      yield* delivery.awaitIdle
      expect(yield* leads.undelivered).toHaveLength(0)
      const record = Option.getOrThrow(yield* leads.get(pending!.lead.id))
      // One attempt a round: the CRM's error, with the admin chat's while the fallback failed too.
      expect(record.attempts.map((a) => [a.error, Option.getOrNull(a.adminError)])).toEqual([
        ["CrmHttpStatusError 503", "TelegramError 500"],
        ["CrmHttpStatusError 503", "TelegramError 500"],
        ["CrmHttpStatusError 503", null]
      ])
      expect(telegram.adminCalls().filter((c) => c.method === "sendMessage")).toHaveLength(3)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})

describe("Repeat taps", () => {
  it.scoped("the same service within 10 minutes: answered, no second lead; after 10 minutes: a new lead", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm()
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      yield* tapAndDeliver()
      expect(crm.sent).toHaveLength(1)
      const answers = telegram.calls.filter((c) => c.method === "answerCallbackQuery")
      expect(answers).toHaveLength(2)
      expect(answers[1]!.payload.text).toBe("✅ Эта заявка уже принята.")
      yield* TestClock.adjust("10 minutes")
      yield* TestClock.adjust("1 second")
      yield* tapAndDeliver()
      expect(crm.sent).toHaveLength(2)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})

describe("Follow-ups", () => {
  const followUp = (text: string) =>
    Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(textUpdate(galliard, text))
      yield* (yield* Delivery).awaitIdle
    })

  it.scoped("fallback lead → smart edit of the admin message; later follow-ups append", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm([new CrmConnectionError({ detail: "refused" })])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      yield* followUp("https://example.com")
      yield* followUp("<script>")
      const edits = telegram.adminCalls().filter((c) => c.method === "editMessageText")
      expect(edits).toHaveLength(2)
      const last = String(edits[1]!.payload.text)
      expect(last.startsWith("✅ <b>ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!</b>\n\n⚠️ <b>[FALLBACK - CRM НЕДОСТУПНА]</b>")).toBe(
        true
      )
      expect(last.endsWith("📎 <b>FOLLOW-UP:</b>\nСообщение: https://example.com\nСообщение: &lt;script&gt;")).toBe(
        true
      )
      const fallback = telegram.adminCalls()[0]!
      expect(edits.every((e) => e.payload.message_id === (fallback.result as { message_id: number }).message_id)).toBe(
        true
      )
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("a follow-up sent while the CRM still answers: the lead is sent once, the follow-up applied after", () => {
    const telegram = recordingTelegram()
    return Effect.gen(function*() {
      const answer = yield* Deferred.make<void>()
      let sends = 0
      const scripted = scriptedCrm()
      const slowCrm = Layer.effect(
        Crm,
        Effect.map(Crm, (crm) =>
          Crm.of({
            ...crm,
            deliver: () =>
              Effect.sync(() => sends++).pipe(
                Effect.zipRight(Deferred.await(answer)),
                Effect.zipRight(Effect.fail(new CrmConnectionError({ detail: "refused" })))
              )
          }))
      ).pipe(Layer.provide(scripted.layer))
      yield* Effect.gen(function*() {
        const router = yield* UpdateRouter
        const delivery = yield* Delivery
        yield* router.handle(tapUpdate(galliard, AGENCY_LEAD))
        yield* router.handle(textUpdate(galliard, "https://example.com"))
        expect(telegram.adminCalls()).toHaveLength(0)
        yield* Deferred.succeed(answer, undefined)
        yield* delivery.awaitIdle
        expect(sends).toBe(1)
        const [fallback, ...rest] = telegram.adminCalls()
        expect(String(fallback!.payload.text)).toContain("[FALLBACK - CRM НЕДОСТУПНА]")
        expect(rest.map((c) => c.method)).toEqual(["editMessageText"])
        expect(String(rest[0]!.payload.text)).toContain("Сообщение: https://example.com")
      }).pipe(Effect.provide(botServices(telegram.layer, slowCrm)))
    })
  })

  it.scoped("CRM lead → a new admin message naming the person and the brand", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm(["ok"])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      yield* followUp("https://example.com")
      const admin = telegram.adminCalls()
      expect(admin.map((c) => c.method)).toEqual(["sendMessage"])
      expect(admin[0]!.payload.text).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):\n\nhttps://example.com")
      const state = yield* FollowUpState
      expect(yield* state.queued(Option.getOrThrow(yield* state.latestLead(galliard.id)))).toHaveLength(0)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("an edit past 4096 characters becomes replies to the lead's message, split, nothing cut", () => {
    const telegram = recordingTelegram()
    const crm = scriptedCrm([new CrmTimeoutError({ timeoutMs: 1 })])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      const brief = "x".repeat(7000)
      yield* followUp(brief)
      const admin = telegram.adminCalls()
      const fallbackId = (admin[0]!.result as { message_id: number }).message_id
      const replies = admin.slice(1)
      expect(admin.filter((c) => c.method === "editMessageText")).toHaveLength(0)
      expect(replies.length).toBeGreaterThanOrEqual(2)
      for (const r of replies) {
        expect(String(r.payload.text).length).toBeLessThanOrEqual(4096)
        expect((r.payload.reply_parameters as { message_id: number }).message_id).toBe(fallbackId)
      }
      expect(replies.map((r) => String(r.payload.text).split("\n\n")[1]).join("")).toBe(brief)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })

  it.scoped("'message is not modified' is a normal outcome; 'message to edit not found' falls back to a reply", () => {
    let editFault: "not modified" | "gone" = "not modified"
    const telegram = recordingTelegram((call) =>
      call.method !== "editMessageText" ?
        undefined
        : editFault === "not modified"
        ? {
          error_code: 400,
          description:
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"
        }
        : { error_code: 400, description: "Bad Request: message to edit not found" }
    )
    const crm = scriptedCrm([new CrmConnectionError({ detail: "refused" })])
    return Effect.gen(function*() {
      yield* tapAndDeliver()
      yield* followUp("first")
      editFault = "gone"
      yield* followUp("second")
      const admin = telegram.adminCalls()
      expect(admin.map((c) => c.method)).toEqual(["sendMessage", "editMessageText", "editMessageText", "sendMessage"])
      expect(admin[3]!.payload.text).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):\n\nsecond")
      const state = yield* FollowUpState
      const leadId = Option.getOrThrow(yield* state.latestLead(galliard.id))
      expect(yield* state.queued(leadId)).toHaveLength(0)
    }).pipe(Effect.provide(botServices(telegram.layer, crm.layer)))
  })
})
