import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import type { Update } from "grammy/types"

import { CrmConnectionError } from "../../src/crm/CrmError.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { RelayDelivery } from "../../src/relay/RelayDelivery.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { TelegramBot } from "../../src/telegram/TelegramBot.js"
import { ADMIN, type ApiCall, botServices, recordingTelegram, scriptedCrm } from "../support/testLayers.js"
import { type Person, tapUpdate, textUpdate } from "../support/updates.js"

const ann = { id: 501, first_name: "Ann", username: "ann" }
const bob = { id: 502, first_name: "Bob" }
const manager = { id: 900, first_name: "Ольга" }
const crmDown = () => scriptedCrm(Array.from({ length: 10 }, () => new CrmConnectionError({ detail: "refused" })))

/** A manager writes in a forum topic (no reply: Telegram then names the topic's first message as replied to). */
const inTopic = (thread: number, text: string): Update => {
  const update = textUpdate(manager, text)
  const chat = { id: ADMIN, type: "supergroup", title: "Managers", is_forum: true } as const
  Object.assign(update.message!, {
    chat,
    is_topic_message: true,
    message_thread_id: thread,
    reply_to_message: { message_id: thread, date: 0, chat }
  })
  return update
}

const topicsMade = (calls: ReadonlyArray<ApiCall>) =>
  calls.filter((c) => c.method === "createForumTopic").map((
    c
  ) => [c.payload.name, (c.result as { message_thread_id: number }).message_thread_id])
const threadsOf = (calls: ReadonlyArray<ApiCall>, method: string) =>
  calls.filter((c) => c.method === method && Number(c.payload.chat_id) === ADMIN).map((c) =>
    c.payload.message_thread_id
  )

describe("topic mode in unit tests: the managers' chat is a forum, a topic a person", () => {
  it.scoped("each person's fallback in a topic of theirs, made once; a follow-up edits it there", () => {
    const telegram = recordingTelegram(undefined, { forum: true })
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      const lead = (person: Person, service: string) =>
        router.handle(tapUpdate(person, `lead:agency:${service}`)).pipe(Effect.zipRight(delivery.awaitIdle))
      yield* lead(ann, "clients")
      yield* lead(bob, "clients")
      yield* lead(ann, "ads")
      const made = topicsMade(telegram.calls)
      expect(made.map(([name]) => name)).toEqual(["Ann · AGENCY", "Bob · AGENCY"])
      const [annTopic, bobTopic] = made.map(([, thread]) => thread)
      expect(threadsOf(telegram.calls, "sendMessage")).toEqual([annTopic, bobTopic, annTopic])
      yield* router.handle(textUpdate(ann, "https://example.com"))
      yield* delivery.awaitIdle
      const edit = telegram.calls.find((c) => c.method === "editMessageText")!
      expect(String(edit.payload.text)).toContain("Сообщение: https://example.com")
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer)))
  })

  it.scoped("a deleted topic: a new one is made, the fallback message posted whole there with the follow-up", () => {
    const telegram = recordingTelegram(undefined, { forum: true })
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      yield* router.handle(tapUpdate(ann, "lead:agency:clients"))
      yield* delivery.awaitIdle
      const [[, first]] = topicsMade(telegram.calls) as Array<[string, number]>
      telegram.deleteTopic(first!)
      yield* router.handle(textUpdate(ann, "https://example.com"))
      yield* delivery.awaitIdle
      const made = topicsMade(telegram.calls)
      expect(made).toHaveLength(2)
      const second = Number(made[1]![1])
      const anew = telegram.calls.filter((c) => c.method === "sendMessage").at(-1)!
      expect(anew.payload.message_thread_id).toBe(second)
      expect(String(anew.payload.text)).toContain("[FALLBACK - CRM НЕДОСТУПНА]")
      expect(String(anew.payload.text)).toContain("Сообщение: https://example.com")
      // The message posted anew is the lead's now: a manager's message in the new topic reaches Ann.
      yield* router.handle(inTopic(second, "Здравствуйте!"))
      yield* (yield* RelayDelivery).awaitIdle
      const copies = telegram.calls.filter((c) => c.method === "copyMessage" && c.payload.chat_id === ann.id)
      expect(copies).toHaveLength(1)
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer)))
  })

  it.scoped("a manager's message in a person's topic goes to that person only; the General topic to nobody", () => {
    const telegram = recordingTelegram(undefined, { forum: true })
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      for (const person of [ann, bob]) {
        yield* router.handle(tapUpdate(person, "lead:agency:clients"))
        yield* delivery.awaitIdle
      }
      const bobTopic = Number(topicsMade(telegram.calls)[1]![1])
      yield* router.handle(inTopic(bobTopic, "Bob, hello"))
      const general = textUpdate(manager, "to everyone")
      Object.assign(general.message!, { chat: { id: ADMIN, type: "supergroup", title: "Managers", is_forum: true } })
      yield* router.handle(general)
      yield* (yield* RelayDelivery).awaitIdle
      const copies = telegram.calls.filter((c) => c.method === "copyMessage")
      expect(copies.map((c) => c.payload.chat_id)).toEqual([bob.id])
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer)))
  })

  it.scoped("in their topic, a reply to a lead's message answers that lead; a plain message their latest", () => {
    const telegram = recordingTelegram(undefined, { forum: true })
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      const leads = yield* LeadStore
      for (const service of ["clients", "ads"]) {
        yield* router.handle(tapUpdate(ann, `lead:agency:${service}`))
        yield* delivery.awaitIdle
      }
      const [, thread] = topicsMade(telegram.calls)[0]!
      const [first] = telegram.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === ADMIN)
      const reply = inTopic(Number(thread), "Про клиентов: позвоню")
      Object.assign(reply.message!, {
        reply_to_message: {
          message_id: (first!.result as { message_id: number }).message_id,
          date: 0,
          chat: reply.message!.chat
        }
      })
      yield* router.handle(reply)
      yield* (yield* RelayDelivery).awaitIdle
      const taken = (yield* leads.ofPerson(ann.id)).map((r) => [r.lead.serviceId, Option.isSome(r.taken)])
      expect(taken.sort()).toEqual([["ads", false], ["clients", true]])
      yield* router.handle(inTopic(Number(thread), "А по рекламе — завтра"))
      yield* (yield* RelayDelivery).awaitIdle
      const now = (yield* leads.ofPerson(ann.id)).map((r) => [r.lead.serviceId, Option.isSome(r.taken)])
      expect(now.sort()).toEqual([["ads", true], ["clients", true]])
    }).pipe(Effect.provide(botServices(telegram.layer, crmDown().layer)))
  })
})

describe("the unit tests' Telegram is strict", () => {
  it.effect("a method it does not implement fails the test that asked for it", () =>
    Effect.gen(function*() {
      const telegram = recordingTelegram()
      const exit = yield* Effect.exit(
        Effect.scoped(
          TelegramBot.pipe(
            Effect.flatMap((bot) => bot.call("getUpdates", (api, signal) => api.getUpdates({}, signal))),
            Effect.ignore,
            Effect.provide(telegram.layer)
          )
        )
      )
      if (Exit.isSuccess(exit)) return expect.fail("an unimplemented method passed")
      expect(Cause.pretty(exit.cause)).toContain("does not implement: getUpdates")
    }))

  it.effect("outside a forum, createForumTopic is refused as Telegram refuses it", () =>
    Effect.gen(function*() {
      const telegram = recordingTelegram()
      const bot = yield* TelegramBot.pipe(Effect.provide(telegram.layer))
      const made = yield* Effect.either(
        bot.call("createForumTopic", (api, signal) => api.createForumTopic(ADMIN, "x", {}, signal))
      )
      expect(made._tag === "Left" && made.left.description).toBe("Bad Request: the chat is not a forum")
    }))
})
