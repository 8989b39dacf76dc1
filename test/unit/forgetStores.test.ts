import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import type { Update } from "grammy/types"

import type { Lead } from "../../src/lead/Lead.js"
import { AdminMessages } from "../../src/store/AdminMessages.js"
import { Consents } from "../../src/store/Consents.js"
import { Erasures } from "../../src/store/Erasures.js"
import { FollowUpState } from "../../src/store/FollowUpState.js"
import { Inbox } from "../../src/store/Inbox.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { Relays } from "../../src/store/Relays.js"
import { StartEvents } from "../../src/store/StartEvents.js"
import { Topics } from "../../src/store/Topics.js"
import { Transactor } from "../../src/store/Transactor.js"
import { postgresMissing } from "../support/postgres.js"
import { storeImplementations } from "../support/storeImplementations.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

if (postgresMissing) console.warn(`test/unit/forgetStores.test.ts: PostgreSQL ${postgresMissing}`)

const FORGOTTEN = 501
const OTHER = 502

const lead = (id: string, createdAt: number, telegramId: number, serviceId = "clients"): Lead => ({
  id,
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId,
  title: "Привлечь клиентов",
  contact: { telegramId, fullName: "Galliard", username: Option.some("galliard") },
  createdAt,
  tapId: `q-${id}`,
  campaign: Option.some("vk")
})

let editedId = 900_000
const editedUpdate = (telegramId: number): Update => ({
  update_id: ++editedId,
  edited_message: {
    message_id: 5,
    date: 0,
    edit_date: 1,
    chat: { id: telegramId, type: "private", first_name: "P" },
    from: { id: telegramId, is_bot: false, first_name: "P" },
    text: "edited"
  }
})

/**
 * Everything the store can keep about a person, the same for both (ids apart): two leads (the first with two failed
 * attempts and its fallback outcome, the second with the follow-ups: a brief and two phones), two /starts, three raw
 * updates (a tap, a message, an edit; one handled), two managers' messages to them (one delivered), two admin
 * messages about them and a topic in two managers' chats, their consent and a step.
 */
const everythingOf = (person: number) =>
  Effect.gen(function*() {
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const [first, second] = [`${person}-a`, `${person}-b`]
    yield* leads.record(lead(first, 1000, person), 0)
    yield* leads.recordAttempt(first, { at: 1100, error: "CrmTimeoutError", adminError: Option.none() })
    yield* leads.recordAttempt(first, { at: 1200, error: "CrmConnectionError", adminError: Option.none() })
    yield* leads.setOutcome(first, { _tag: "Fallback", chatId: Option.some(-100), messageId: person, html: "x" })
    yield* leads.record(lead(second, 2000, person, "ai_video"), 0)
    yield* followUps.attach(person, second)
    const followUp = { leadId: second, chatId: person, media: Option.none(), phone: false } as const
    yield* followUps.add({ ...followUp, messageId: 10, text: "my brief" })
    yield* followUps.add({ ...followUp, messageId: 11, text: "+79990000001", phone: true })
    yield* followUps.add({ ...followUp, messageId: 12, text: "+79990000002", phone: true })
    const starts = yield* StartEvents
    yield* starts.record({ telegramId: person, brand: Option.some("agency"), campaign: Option.some("vk"), at: 900 })
    yield* starts.record({ telegramId: person, brand: Option.none(), campaign: Option.none(), at: 950 })
    const inbox = yield* Inbox
    const tap = tapUpdate({ id: person, first_name: "P" }, "lead:agency:clients")
    yield* inbox.record([tap, textUpdate({ id: person, first_name: "P" }, "hello"), editedUpdate(person)])
    yield* inbox.markHandled([tap.update_id])
    const relays = yield* Relays
    for (const messageId of [person + 1000, person + 2000]) {
      yield* relays.record({
        id: `-100:${messageId}`,
        adminChatId: -100,
        adminMessageId: messageId,
        telegramId: Option.some(person),
        text: "hello",
        media: false,
        signature: Option.none(),
        manager: Option.none(),
        html: Option.none(),
        leadId: Option.none(),
        createdAt: 1
      })
    }
    yield* relays.settle(`-100:${person + 1000}`, "delivered")
    yield* (yield* AdminMessages).record([
      { chatId: -100, messageId: person, telegramId: person, leadId: `${person}-a` },
      { chatId: -200, messageId: person + 3000, telegramId: person }
    ])
    const topics = yield* Topics
    yield* topics.settle(-100, person, person + 10)
    yield* topics.settle(-200, person, person + 20)
    const consents = yield* Consents
    yield* consents.keepText({ sha256: "h1", version: "v1", text: "Согласие", at: 0 })
    yield* consents.accept({ telegramId: person, version: "v1", textSha256: "h1", at: 800, how: "button" })
    yield* consents.saveStep({ telegramId: person, startPayload: Option.some("agency"), at: 700 })
  })

const sender = (update: Update) =>
  update.callback_query?.from.id ?? update.message?.from?.id ?? update.edited_message?.from?.id

/** What /mydata reads of a person, and what else is theirs: a count a kind, to compare before and after. */
const whatIsKept = (person: number) =>
  Effect.gen(function*() {
    const leads = yield* LeadStore
    const ofFollowUps = yield* (yield* FollowUpState).ofPerson(person)
    const inbox = yield* Inbox
    const about = yield* AdminMessages
    const topics = yield* Topics
    return {
      leads: (yield* leads.ofPerson(person)).map((r) => r.lead.id),
      followUps: ofFollowUps.followUps,
      phone: ofFollowUps.phone,
      latestLead: yield* (yield* FollowUpState).latestLead(person),
      relays: yield* (yield* Relays).countOf(person),
      starts: yield* (yield* StartEvents).countOf(person),
      unhandledUpdates: (yield* inbox.unhandled).filter((u) => sender(u) === person).length,
      aboutThem: [yield* about.concerning(-100, person), yield* about.concerning(-200, person + 3000)],
      topics: [yield* topics.of(-100, person), yield* topics.of(-200, person)],
      consented: yield* (yield* Consents).accepted(person, "v1"),
      step: Option.isSome(yield* (yield* Consents).stepOf(person))
    }
  })

const keptOf = (person: number) => ({
  leads: [`${person}-a`, `${person}-b`],
  followUps: 3,
  phone: Option.some("+79990000002"),
  latestLead: Option.some(`${person}-b`),
  relays: 2,
  starts: 2,
  unhandledUpdates: 2,
  aboutThem: [
    Option.some({ _tag: "Person", telegramId: person, leadId: Option.some(`${person}-a`) }),
    Option.some({ _tag: "Person", telegramId: person, leadId: Option.none() })
  ],
  topics: [Option.some(person + 10), Option.some(person + 20)],
  consented: true,
  step: true
})

/**
 * Every port's own part, in the order the erasure runs them (follow-ups before the leads they reference), as one
 * effect that needs nothing more (a unit of the Transactor may run in another fiber).
 */
const forgetThroughEveryPort = Effect.gen(function*() {
  const [followUps, leads, about, topics, relays, starts, inbox, consents, erasures] = [
    yield* FollowUpState,
    yield* LeadStore,
    yield* AdminMessages,
    yield* Topics,
    yield* Relays,
    yield* StartEvents,
    yield* Inbox,
    yield* Consents,
    yield* Erasures
  ]
  return (person: number, erasureId: string) =>
    Effect.gen(function*() {
      const ofFollowUps = yield* followUps.forgetPerson(person)
      const ofLeads = yield* leads.forgetPerson(person)
      const forgotten = {
        followUps: ofFollowUps,
        leads: ofLeads.leads,
        attempts: ofLeads.attempts,
        adminMessages: yield* about.forgetPerson(person),
        topics: yield* topics.forgetPerson(person),
        relays: yield* relays.forgetPerson(person),
        starts: yield* starts.forgetPerson(person),
        updates: yield* inbox.forgetPerson(person),
        withdrawn: yield* consents.withdraw(person, 5000)
      }
      yield* consents.dropStep(person)
      yield* erasures.queue({ id: erasureId, by: "person", createdAt: 5000, steps: [] })
      return forgotten
    })
})

describe.each(storeImplementations)("forgetting a person on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }

  it.scoped("each port deletes exactly the person's rows, returns what it deleted, and nobody else's", () =>
    Effect.gen(function*() {
      yield* everythingOf(FORGOTTEN)
      yield* everythingOf(OTHER)
      expect(yield* whatIsKept(FORGOTTEN)).toEqual(keptOf(FORGOTTEN))
      // The leads as they stood (with their contact, attempts, outcome): what the managers are told about.
      const theirs = yield* (yield* LeadStore).ofPerson(FORGOTTEN)
      expect(theirs.map((r) => [r.lead.id, r.attempts.length, r.outcome._tag])).toEqual([
        [`${FORGOTTEN}-a`, 2, "Some"],
        [`${FORGOTTEN}-b`, 0, "None"]
      ])
      const forget = yield* forgetThroughEveryPort
      const forgotten = yield* forget(FORGOTTEN, "e1")
      expect(forgotten).toEqual({
        followUps: { followUps: 3, latestLead: 1 },
        leads: theirs,
        attempts: 2,
        adminMessages: [{ chatId: -200, messageId: FORGOTTEN + 3000 }, { chatId: -100, messageId: FORGOTTEN }],
        topics: [{ chatId: -200, threadId: FORGOTTEN + 20 }, { chatId: -100, threadId: FORGOTTEN + 10 }],
        relays: 2,
        starts: 2,
        updates: 3,
        withdrawn: 1
      })
      // Nothing of theirs is left but the unlinked admin messages and the consent log's withdrawn row.
      expect(yield* whatIsKept(FORGOTTEN)).toEqual({
        leads: [],
        followUps: 0,
        phone: Option.none(),
        latestLead: Option.none(),
        relays: 0,
        starts: 0,
        unhandledUpdates: 0,
        aboutThem: [Option.some({ _tag: "Forgotten" }), Option.some({ _tag: "Forgotten" })],
        topics: [Option.none(), Option.none()],
        consented: false,
        step: false
      })
      expect((yield* (yield* Consents).historyOf(FORGOTTEN)).map((r) => r.withdrawnAt)).toEqual([Option.some(5000)])
      expect(yield* (yield* Topics).personOf(-100, FORGOTTEN + 10)).toEqual(Option.none())
      expect(yield* (yield* LeadStore).get(`${FORGOTTEN}-a`)).toEqual(Option.none())
      expect(yield* (yield* FollowUpState).queued(`${FORGOTTEN}-b`)).toEqual([])
      // The other person's all stays.
      expect(yield* whatIsKept(OTHER)).toEqual(keptOf(OTHER))
      expect(Option.getOrThrow(yield* (yield* LeadStore).get(`${OTHER}-a`)).attempts).toHaveLength(2)
      expect(yield* (yield* Topics).personOf(-100, OTHER + 10)).toEqual(Option.some(OTHER))
      // Forgotten twice: nothing more.
      expect(yield* forget(FORGOTTEN, "e2")).toEqual({
        followUps: { followUps: 0, latestLead: 0 },
        leads: [],
        attempts: 0,
        adminMessages: [],
        topics: [],
        relays: 0,
        starts: 0,
        updates: 0,
        withdrawn: 0
      })
    }).pipe(Effect.provide(stores())))

  it.scoped("after forgetting: a late outcome is refused, an admin message stays Forgotten, a new lead is new", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const about = yield* AdminMessages
      yield* everythingOf(FORGOTTEN)
      // Before: an outcome of a lead that is there is true, the first one standing.
      expect(yield* leads.setOutcome(`${FORGOTTEN}-b`, { _tag: "Crm" })).toBe(true)
      expect(
        yield* leads.setOutcome(`${FORGOTTEN}-b`, { _tag: "Fallback", chatId: Option.none(), messageId: 1, html: "" })
      ).toBe(true)
      expect(Option.getOrThrow(yield* leads.get(`${FORGOTTEN}-b`)).outcome).toEqual(Option.some({ _tag: "Crm" }))
      yield* (yield* forgetThroughEveryPort)(FORGOTTEN, "e1")
      expect(yield* leads.setOutcome(`${FORGOTTEN}-a`, { _tag: "Crm" })).toBe(false)
      expect(yield* leads.setOutcome("never was", { _tag: "Crm" })).toBe(false)
      expect(yield* leads.get(`${FORGOTTEN}-a`)).toEqual(Option.none())
      // A message recorded about them again does not link it anew: the first record stands.
      yield* about.record([{ chatId: -100, messageId: FORGOTTEN, telegramId: FORGOTTEN }])
      expect(yield* about.concerning(-100, FORGOTTEN)).toEqual(Option.some({ _tag: "Forgotten" }))
      expect(yield* about.forgetPerson(FORGOTTEN)).toEqual([])
      // The same tap, and a tap within the repeat window, make leads again: nothing of the old ones is left.
      expect(yield* leads.record(lead(`${FORGOTTEN}-a`, 1000, FORGOTTEN), 0)).toBe(true)
      expect(yield* leads.record(lead("again", 2500, FORGOTTEN, "ai_video"), 0)).toBe(true)
      expect(yield* leads.owedConfirmation(`q-${FORGOTTEN}-a`)).toEqual(
        Option.some(lead(`${FORGOTTEN}-a`, 1000, FORGOTTEN))
      )
      expect((yield* leads.ofPerson(FORGOTTEN)).map((r) => [r.lead.id, r.attempts.length])).toEqual([
        [`${FORGOTTEN}-a`, 0],
        ["again", 0]
      ])
    }).pipe(Effect.provide(stores())))

  it.scoped("forgetting a person through every port in one unit: all of it taken back when the unit fails", () =>
    Effect.gen(function*() {
      const { atomically } = yield* Transactor
      const forget = yield* forgetThroughEveryPort
      yield* everythingOf(FORGOTTEN)
      const failed = yield* Effect.exit(atomically(forget(FORGOTTEN, "e1").pipe(Effect.zipRight(Effect.fail("boom")))))
      expect(failed).toEqual(Exit.fail("boom"))
      expect(yield* whatIsKept(FORGOTTEN)).toEqual(keptOf(FORGOTTEN))
      expect(Option.getOrThrow(yield* (yield* LeadStore).get(`${FORGOTTEN}-a`)).attempts).toHaveLength(2)
      expect(yield* (yield* Erasures).get("e1")).toEqual(Option.none())
      expect((yield* (yield* Consents).historyOf(FORGOTTEN)).map((r) => r.withdrawnAt)).toEqual([Option.none()])
      // The same unit that succeeds keeps it all.
      yield* atomically(forget(FORGOTTEN, "e1"))
      expect((yield* whatIsKept(FORGOTTEN)).leads).toEqual([])
      expect(Option.isSome(yield* (yield* Erasures).get("e1"))).toBe(true)
    }).pipe(Effect.provide(stores())))
})
