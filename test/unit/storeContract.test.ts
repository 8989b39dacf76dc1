import { writeFileSync } from "node:fs"
import { join } from "node:path"

import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Option, TestClock, TestServices } from "effect"

import type { Lead } from "../../src/lead/Lead.js"
import { Retention } from "../../src/retention/Retention.js"
import { AdminMessages } from "../../src/store/AdminMessages.js"
import { FollowUpState } from "../../src/store/FollowUpState.js"
import { Inbox } from "../../src/store/Inbox.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { ExclusiveLeases, Leases } from "../../src/store/Leases.js"
import { Relays } from "../../src/store/Relays.js"
import { forgetPerson } from "../../src/store/sql/forgetPerson.js"
import { migrations, runMigrations } from "../../src/store/sql/migrations/index.js"
import { SqlLeases } from "../../src/store/sql/SqlLeases.js"
import { openDatabase } from "../../src/store/sqlite/Database.js"
import { StartEvents } from "../../src/store/StartEvents.js"
import { Topics } from "../../src/store/Topics.js"
import { Transactor } from "../../src/store/Transactor.js"
import { postgresMissing } from "../support/postgres.js"
import { sqlBackends, storeImplementations, tempStoreFile } from "../support/storeImplementations.js"
import { testConfigWith } from "../support/testLayers.js"
import { tapUpdate } from "../support/updates.js"

if (postgresMissing) console.warn(`test/unit/storeContract.test.ts: PostgreSQL ${postgresMissing}`)

const lead = (id: string, createdAt: number, serviceId = "clients", telegramId = 501): Lead => ({
  id,
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId,
  title: "Привлечь клиентов",
  contact: { telegramId, fullName: "Galliard", username: Option.none() },
  createdAt,
  tapId: `q-${id}`,
  campaign: Option.none()
})

/** Repeat taps, for both stores: a lead repeats one of the same person and service since `repeatSince`. */
const repeatTaps = Effect.gen(function*() {
  const leads = yield* LeadStore
  expect(yield* leads.record(lead("first", 1000), 0)).toBe(true)
  expect(yield* leads.record(lead("again", 1500), 1000)).toBe(false)
  expect(yield* leads.record(lead("other service", 1500, "ai_video"), 1000)).toBe(true)
  expect(yield* leads.record(lead("other person", 1500, "clients", 502), 1000)).toBe(true)
  expect(yield* leads.record(lead("after the window", 2000), 1001)).toBe(true)
  expect(Option.isNone(yield* leads.get("again"))).toBe(true)
  expect((yield* leads.undelivered).map((r) => r.lead.id).sort()).toEqual([
    "after the window",
    "first",
    "other person",
    "other service"
  ])
})

/** For both stores: a lead is owed its confirmation, by the tap that created it only, until it is marked confirmed. */
const owedConfirmations = Effect.gen(function*() {
  const leads = yield* LeadStore
  expect(yield* leads.record(lead("a", 1000), 0)).toBe(true)
  expect(yield* leads.record(lead("b", 1000, "ai_video"), 0)).toBe(true)
  expect(Option.map(yield* leads.owedConfirmation("q-a"), (l) => l.id)).toEqual(Option.some("a"))
  expect(Option.getOrThrow(yield* leads.owedConfirmation("q-a"))).toEqual(lead("a", 1000))
  expect(yield* leads.owedConfirmation("q-unknown")).toEqual(Option.none())
  yield* leads.markConfirmed("a", 1001)
  expect(yield* leads.owedConfirmation("q-a")).toEqual(Option.none())
  expect(Option.map(yield* leads.owedConfirmation("q-b"), (l) => l.id)).toEqual(Option.some("b"))
})

/** For both inboxes: handled updates older than the cutoff are forgotten; unhandled ones and the newest stay. */
const forgetting = Effect.gen(function*() {
  yield* TestClock.setTime(Date.now())
  const inbox = yield* Inbox
  const [a, b, c, d] = [1, 2, 3, 4].map(() => tapUpdate({ id: 501, first_name: "G" }, "lead:agency:clients"))
  yield* inbox.record([a!, b!, c!, d!])
  yield* inbox.markHandled([a!.update_id, c!.update_id, d!.update_id])
  const later = Date.now() + 60_000
  expect(yield* inbox.forgetHandled(0)).toBe(0)
  expect(yield* inbox.forgetHandled(later)).toBe(2)
  expect(yield* inbox.unhandled).toEqual([b])
  expect(yield* inbox.lastRecorded).toEqual(Option.some(d!.update_id))
  // A forgotten update is recorded as new if it ever came again; the newest is still recognised.
  expect((yield* inbox.record([d!])).length).toBe(0)
})

/** For every store: a lead is due until settled with nothing new; a failed attempt makes it due later, counted. */
const leadWork = Effect.gen(function*() {
  const leads = yield* LeadStore
  const work = (id: string) => leads.get(id).pipe(Effect.map((r) => Option.getOrThrow(r).work))
  expect(yield* leads.record(lead("l", 1000), 0)).toBe(true)
  expect(yield* work("l")).toEqual({ dueAt: Option.some(1000), retries: 0, wakes: 0 })
  expect(yield* leads.due(999, 10)).toEqual([])
  expect(yield* leads.due(1000, 10)).toEqual(["l"])
  // Work added meanwhile (a follow-up): it is not settled until that is done too.
  yield* leads.wake("l", 2100)
  expect(yield* leads.settle("l", 0)).toBe(false)
  expect(yield* work("l")).toEqual({ dueAt: Option.some(1000), retries: 0, wakes: 1 })
  expect(yield* leads.settle("l", 1)).toBe(true)
  expect(yield* work("l")).toEqual({ dueAt: Option.none(), retries: 0, wakes: 1 })
  expect(yield* leads.due(5000, 10)).toEqual([])
  // Due again; an attempt fails: due at the time the store keeps, one retry more; settling starts the count anew.
  yield* leads.wake("l", 3000)
  yield* leads.retryLater("l", 8000)
  expect(yield* leads.due(7999, 10)).toEqual([])
  expect(yield* leads.due(8000, 10)).toEqual(["l"])
  expect(yield* work("l")).toEqual({ dueAt: Option.some(8000), retries: 1, wakes: 2 })
  expect(yield* leads.settle("l", 2)).toBe(true)
  expect(yield* work("l")).toEqual({ dueAt: Option.none(), retries: 0, wakes: 2 })
  // Soonest first, at most `limit`.
  yield* leads.record(lead("m", 500, "ai_video"), 0)
  yield* leads.record(lead("n", 700, "clients", 502), 0)
  expect(yield* leads.due(10_000, 1)).toEqual(["m"])
  expect(yield* leads.due(10_000, 10)).toEqual(["m", "n"])
})

/** For every store: the chats with updates still to handle, and a chat's updates in order. */
const chatWork = Effect.gen(function*() {
  const inbox = yield* Inbox
  const u1 = tapUpdate({ id: 501, first_name: "A" }, "lead:agency:clients")
  const u2 = tapUpdate({ id: 502, first_name: "B" }, "lead:agency:clients")
  const u3 = tapUpdate({ id: 501, first_name: "A" }, "lead:cg:ai_video")
  yield* inbox.record([u1, u2, u3])
  expect([...(yield* inbox.chatsWithWork(10))].sort()).toEqual([501, 502])
  expect((yield* inbox.chatsWithWork(1)).length).toBe(1)
  expect((yield* inbox.unhandledOf(501, new Map())).map((r) => r.update)).toEqual([u1, u3])
  expect((yield* inbox.unhandledOf(501, new Map([[u1.update_id, u1]]))).map((r) => r.update)).toEqual([u1, u3])
  yield* inbox.markHandled([u1.update_id, u3.update_id])
  expect(yield* inbox.unhandledOf(501, new Map())).toEqual([])
  expect(yield* inbox.chatsWithWork(10)).toEqual([502])
})

/**
 * Leases on a shared store: a key is held by one holder at a time, until let go or lapsed; a live holder renews.
 * A lease of -1 ms has lapsed as it is taken (the database's clock decides).
 */
const sharedLeases = Effect.gen(function*() {
  const a = yield* Leases
  const b = yield* Layer.build(SqlLeases).pipe(Effect.map(Context.get(Leases)))
  expect(a.exclusive).toBe(false)
  expect(a.holder).not.toEqual(b.holder)
  const sorted = (keys: ReadonlyArray<string>) => [...keys].sort()
  expect(sorted(yield* a.claim("chat", ["1", "2", "1"], 60_000))).toEqual(["1", "2"])
  expect(yield* b.claim("chat", ["1"], 60_000)).toEqual([])
  expect(yield* a.claim("chat", ["1"], 60_000)).toEqual(["1"])
  // The kinds are apart: lead "1" is not chat "1".
  expect(yield* b.claim("lead", ["1"], 60_000)).toEqual(["1"])
  // A lapsed lease is anyone's; a renewed one is not.
  expect(yield* a.claim("chat", ["3", "4"], -1)).toEqual(["3", "4"])
  yield* a.renew("chat", ["4"], 60_000)
  expect(yield* b.claim("chat", ["3", "4"], 60_000)).toEqual(["3"])
  // Let go: one key, then the rest of a holder's.
  yield* a.release("chat", ["1"])
  expect(yield* b.claim("chat", ["1", "2"], 60_000)).toEqual(["1"])
  yield* a.release("chat", ["2", "4"])
  expect(sorted(yield* b.claim("chat", ["2", "4"], 60_000))).toEqual(["2", "4"])
  // What a live lease holds is not offered as work to others.
  const inbox = yield* Inbox
  const leads = yield* LeadStore
  yield* inbox.record([tapUpdate({ id: 601, first_name: "C" }, "lead:agency:clients")])
  yield* leads.record(lead("held", 1000, "clients", 601), 0)
  expect(yield* inbox.chatsWithWork(10)).toEqual([601])
  expect(yield* leads.due(2000, 10)).toEqual(["held"])
  yield* b.claim("chat", ["601"], 60_000)
  yield* b.claim("lead", ["held"], 60_000)
  expect(yield* inbox.chatsWithWork(10)).toEqual([])
  expect(yield* leads.due(2000, 10)).toEqual([])
  yield* b.release("chat", ["601"])
  expect(yield* inbox.chatsWithWork(10)).toEqual([601])
})

/** For every store: a lead's outcome is recorded once (the first stands), its attempts in order, handled once. */
const outcomeOnce = Effect.gen(function*() {
  const leads = yield* LeadStore
  expect(yield* leads.record(lead("a", 1000), 0)).toBe(true)
  yield* leads.recordAttempt("a", { at: 1100, error: "CrmTimeoutError", adminError: Option.none() })
  yield* leads.recordAttempt("a", {
    at: 1200,
    error: "CrmConnectionError",
    adminError: Option.some("TelegramError 500")
  })
  expect((yield* leads.undelivered).map((r) => r.lead.id)).toEqual(["a"])
  // A supergroup's id: past 32 bits.
  const chatId = -1001234567890
  yield* leads.setOutcome("a", { _tag: "Fallback", chatId: Option.some(chatId), messageId: 7, html: "<b>x</b>" })
  yield* leads.setOutcome("a", { _tag: "Crm" }) // too late: the first outcome stands
  const record = Option.getOrThrow(yield* leads.get("a"))
  expect(record.outcome).toEqual(
    Option.some({ _tag: "Fallback", chatId: Option.some(chatId), messageId: 7, html: "<b>x</b>" })
  )
  expect(record.attempts).toEqual([
    { at: 1100, error: "CrmTimeoutError", adminError: Option.none() },
    { at: 1200, error: "CrmConnectionError", adminError: Option.some("TelegramError 500") }
  ])
  expect(record.lead.contact.username).toEqual(Option.none())
  expect(yield* leads.undelivered).toEqual([])
  // Posted anew in the brand's new chat: both move.
  yield* leads.moveFallback("a", -1009876543210, 8)
  expect(Option.getOrThrow(yield* leads.get("a")).outcome).toEqual(
    Option.some({ _tag: "Fallback", chatId: Option.some(-1009876543210), messageId: 8, html: "<b>x</b>" })
  )
  yield* leads.moveFallback("a", chatId, 7)
  yield* leads.setCard("a", 41)
  yield* leads.setCard("a", 42) // the first card stands
  expect(Option.getOrThrow(yield* leads.get("a")).card).toEqual(Option.some(41))
  expect(yield* leads.markFirstReply("a", 1300, 900)).toBe(true)
  expect(yield* leads.markFirstReply("a", 1400, 900)).toBe(false)
  expect(yield* leads.markFirstReply("unknown", 1400, 900)).toBe(false)
  expect(yield* leads.markHandled("a", { by: "@olga", at: 5 })).toBe(true)
  expect(yield* leads.markHandled("a", { by: "@ivan", at: 6 })).toBe(false)
  expect(Option.getOrThrow(yield* leads.get("a")).handled).toEqual(Option.some({ by: "@olga", at: 5 }))
  // A fallback whose chat was not recorded (posted before 0010) reads back so: the caller knows it is ADMIN_CHAT_ID's.
  yield* leads.record(lead("b", 2000, "clients", 502), 0)
  yield* leads.setOutcome("b", { _tag: "Fallback", chatId: Option.none(), messageId: 9, html: "y" })
  expect(Option.getOrThrow(yield* leads.get("b")).outcome).toEqual(
    Option.some({ _tag: "Fallback", chatId: Option.none(), messageId: 9, html: "y" })
  )
})

/** For every store: a manager's message is one relay; a person's pending ones in order; due, retried, settled once. */
const relaying = Effect.gen(function*() {
  const relays = yield* Relays
  const relay = (messageId: number, person: number, createdAt: number) => ({
    id: `-100:${messageId}`,
    adminChatId: -100,
    adminMessageId: messageId,
    telegramId: Option.some(person),
    text: `answer ${messageId}`,
    media: false,
    signature: Option.none(),
    manager: Option.none(),
    html: Option.none(),
    leadId: Option.none(),
    createdAt
  })
  expect(yield* relays.record(relay(2, 501, 1000))).toBe(true)
  expect(yield* relays.record(relay(3, 501, 1001))).toBe(true)
  expect(yield* relays.record({ ...relay(4, 502, 1002), leadId: Option.some("lead-4") })).toBe(true)
  expect(Option.map(yield* relays.get("-100:4"), (r) => r.leadId)).toEqual(Option.some(Option.some("lead-4")))
  expect(Option.map(yield* relays.get("-100:3"), (r) => r.leadId)).toEqual(Option.some(Option.none()))
  // The same manager's message again (its update handled twice): no second relay.
  expect(yield* relays.record({ ...relay(2, 501, 1500), text: "again" })).toBe(false)
  expect((yield* relays.pendingOf(501)).map((r) => r.text)).toEqual(["answer 2", "answer 3"])
  expect([...(yield* relays.peopleDue(1001, 10))].sort()).toEqual([501])
  expect([...(yield* relays.peopleDue(5000, 10))].sort()).toEqual([501, 502])
  yield* relays.retryLater("-100:2", 9000)
  const retried = Option.getOrThrow(yield* relays.get("-100:2"))
  expect([retried.dueAt, retried.retries]).toEqual([Option.some(9000), 1])
  yield* relays.settle("-100:2", "delivered")
  yield* relays.settle("-100:2", "refused") // too late: the first outcome stands
  expect(Option.getOrThrow(yield* relays.get("-100:2")).outcome).toEqual(Option.some("delivered"))
  expect((yield* relays.pendingOf(501)).map((r) => r.text)).toEqual(["answer 3"])
  yield* relays.settle("-100:3", "refused")
  expect(yield* relays.pendingOf(501)).toEqual([])
  expect(yield* relays.peopleDue(10_000, 10)).toEqual([502])
})

/** For every store: a person's topic; the first one stands; a dropped one goes; whose a topic is. */
const personTopics = Effect.gen(function*() {
  const topics = yield* Topics
  expect(yield* topics.of(-100, 501)).toEqual(Option.none())
  expect(yield* topics.settle(-100, 501, 10)).toBe(10)
  expect(yield* topics.settle(-100, 501, 11)).toBe(10) // made meanwhile elsewhere: the first stands
  expect(yield* topics.settle(-100, 502, 12)).toBe(12)
  expect(yield* topics.of(-100, 501)).toEqual(Option.some(10))
  expect(yield* topics.personOf(-100, 12)).toEqual(Option.some(502))
  expect(yield* topics.personOf(-100, 11)).toEqual(Option.none())
  expect(yield* topics.personOf(-200, 10)).toEqual(Option.none())
  yield* topics.drop(-100, 501, 99) // not theirs: nothing
  expect(yield* topics.of(-100, 501)).toEqual(Option.some(10))
  yield* topics.drop(-100, 501, 10)
  expect(yield* topics.of(-100, 501)).toEqual(Option.none())
  expect(yield* topics.settle(-100, 501, 13)).toBe(13)
})

/** For every store: which admin-chat message concerns whom, and which of their leads; the first record stands. */
const adminMessagesAbout = Effect.gen(function*() {
  const about = yield* AdminMessages
  yield* about.record([{ chatId: -100, messageId: 7, telegramId: 501, leadId: "lead-a" }, {
    chatId: -100,
    messageId: 8,
    telegramId: 502
  }])
  yield* about.record([{ chatId: -100, messageId: 7, telegramId: 999, leadId: "lead-b" }])
  expect(yield* about.concerning(-100, 7)).toEqual(
    Option.some({ _tag: "Person", telegramId: 501, leadId: Option.some("lead-a") })
  )
  expect(yield* about.concerning(-100, 8)).toEqual(
    Option.some({ _tag: "Person", telegramId: 502, leadId: Option.none() })
  )
  // Forgotten: neither the person nor the lead is known from the message any more.
  yield* about.forgetPerson(501)
  expect(yield* about.concerning(-100, 7)).toEqual(Option.some({ _tag: "Forgotten" }))
  expect(yield* about.concerning(-100, 9)).toEqual(Option.none())
  expect(yield* about.concerning(-200, 7)).toEqual(Option.none())
})

/** For every store: follow-ups numbered per lead, one per message, queued until applied, the edited ones kept. */
const followUpNumbering = Effect.gen(function*() {
  const leads = yield* LeadStore
  const followUps = yield* FollowUpState
  yield* leads.record(lead("l", 1), 0)
  const one = yield* followUps.add({
    leadId: "l",
    chatId: 501,
    messageId: 10,
    media: Option.none(),
    text: "one",
    phone: false
  })
  const two = yield* followUps.add({
    leadId: "l",
    chatId: 501,
    messageId: 11,
    media: Option.some("photo"),
    text: "",
    phone: false
  })
  expect([one.seq, two.seq]).toEqual([1, 2])
  // The same message again (its update replayed after a crash) is the same follow-up.
  expect(
    yield* followUps.add({ leadId: "l", chatId: 501, messageId: 10, media: Option.none(), text: "one", phone: false })
  )
    .toEqual(one)
  expect((yield* followUps.queued("l")).map((f) => f.seq)).toEqual([1, 2])
  yield* followUps.markApplied("l", 1, "edit")
  expect((yield* followUps.queued("l")).map((f) => f.seq)).toEqual([2])
  expect(yield* followUps.appliedByEdit("l")).toEqual([one])
  expect((yield* followUps.queued("l"))[0]!.media).toEqual(Option.some("photo"))
  yield* followUps.markApplied("l", 2, "message")
  expect(yield* followUps.queued("l")).toEqual([])
  // The person's phone: a follow-up of its own; the last one given is the lead's.
  expect(yield* followUps.phoneOf("l")).toEqual(Option.none())
  const phone = { leadId: "l", chatId: 501, media: Option.none(), phone: true } as const
  expect((yield* followUps.add({ ...phone, messageId: 12, text: "+79991234567" })).phone).toBe(true)
  yield* followUps.add({ ...phone, messageId: 13, text: "+79990000000" })
  expect(yield* followUps.phoneOf("l")).toEqual(Option.some("+79990000000"))
  expect((yield* followUps.queued("l")).map((f) => [f.seq, f.phone])).toEqual([[3, true], [4, true]])
})

describe("exclusive leases (SQLite, memory)", () => {
  it.effect("every claim holds (once a key) and nothing is kept", () =>
    Effect.gen(function*() {
      const leases = yield* Leases
      expect(leases.exclusive).toBe(true)
      expect(yield* leases.claim("chat", ["1", "2", "1"], 60_000)).toEqual(["1", "2"])
      expect(yield* leases.claim("chat", ["1"], 60_000)).toEqual(["1"])
    }).pipe(Effect.provide(ExclusiveLeases)))
})

describe("the SQLite file", () => {
  it.scoped("migrations run on an empty file and are idempotent on a migrated one; WAL + synchronous=FULL", () =>
    Effect.gen(function*() {
      const file = tempStoreFile()
      const sql = yield* openDatabase(file)
      const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(["delivery_attempts", "follow_ups", "latest_leads", "leads", "updates"])
      )
      expect(yield* sql`PRAGMA journal_mode`).toEqual([{ journal_mode: "wal" }])
      expect(yield* sql`PRAGMA synchronous`).toEqual([{ synchronous: 2 }])
      const again = yield* runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
      expect(again).toEqual([])
      const reopened = yield* openDatabase(file)
      expect(yield* reopened`SELECT COUNT(*) AS n FROM effect_sql_migrations`).toEqual([{
        n: Object.keys(migrations).length
      }])
    }))

  it.scoped("a corrupt file, or a folder that cannot be made, stops start-up with a line naming it", () =>
    Effect.gen(function*() {
      const corrupt = tempStoreFile()
      writeFileSync(
        corrupt,
        "this is not a database, just some bytes that are long enough to be read as a header".repeat(20)
      )
      const exit = yield* Effect.exit(openDatabase(corrupt))
      expect(exit).toMatchObject({ _tag: "Failure" })
      if (Exit.isFailure(exit)) {
        expect(String(exit.cause)).toContain(`cannot open the lead store ${corrupt}: file is not a database`)
      }

      const blocker = tempStoreFile()
      writeFileSync(blocker, "a file where a folder should be")
      const nowhere = join(blocker, "data", "leads.sqlite")
      const exit2 = yield* Effect.exit(openDatabase(nowhere))
      if (Exit.isFailure(exit2)) expect(String(exit2.cause)).toContain(`cannot open the lead store ${nowhere}`)
      else expect.fail("opened a store under a file")
    }))
})

/** The contract of the store ports: every scenario, on every implementation (the doubles must not lie). */
describe.each(storeImplementations)("the store ports on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }

  it.scoped("a second tap within the window makes no second lead; another service, person or a later tap does", () =>
    repeatTaps.pipe(Effect.provide(stores())))

  it.scoped("a confirmation is owed to the tap that created the lead until it is marked sent", () =>
    owedConfirmations.pipe(Effect.provide(stores())))

  it.scoped("a lead is due until settled with nothing new; a failed attempt makes it due later, counted", () =>
    leadWork.pipe(Effect.provide(stores())))

  it.scoped("the chats with updates to handle, and a chat's updates in order", () =>
    chatWork.pipe(Effect.provide(stores())))

  it.scoped("a lead's outcome is recorded once; its attempts are kept in order; handled once", () =>
    outcomeOnce.pipe(Effect.provide(stores())))

  it.scoped("the lead and the person's pointer are written together or not at all", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const followUps = yield* FollowUpState
      const { atomically } = yield* Transactor
      yield* atomically(leads.record(lead("ok", 1), 0).pipe(Effect.zipRight(followUps.attach(501, "ok"))))
      // Another service, so not a repeat of "ok": only the rollback can keep it out.
      const failed = yield* Effect.exit(
        atomically(leads.record(lead("lost", 2, "ai_video"), 0).pipe(Effect.zipRight(Effect.fail("boom"))))
      )
      expect(Exit.isFailure(failed)).toBe(true)
      expect(Option.isNone(yield* leads.get("lost"))).toBe(true)
      expect(yield* followUps.latestLead(501)).toEqual(Option.some("ok"))
    }).pipe(Effect.provide(stores())))

  it.scoped("units committed together: each kept or rolled back on its own; each caller hears its own result", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const followUps = yield* FollowUpState
      const { atomically } = yield* Transactor
      const unit = (id: string, person: number, fail: boolean) =>
        atomically(
          leads.record(lead(id, 1, "clients", person), 0).pipe(
            Effect.zipRight(followUps.attach(person, id)),
            Effect.zipRight(fail ? Effect.fail(`boom ${id}`) : Effect.succeed(id))
          )
        ).pipe(Effect.exit)
      // Started together, so they reach the same group commit.
      const [a, b, c] = yield* Effect.all([unit("a", 601, false), unit("b", 602, true), unit("c", 603, false)], {
        concurrency: "unbounded"
      })
      expect(a).toEqual(Exit.succeed("a"))
      expect(b).toEqual(Exit.fail("boom b"))
      expect(c).toEqual(Exit.succeed("c"))
      expect(Option.isSome(yield* leads.get("a"))).toBe(true)
      expect(Option.isNone(yield* leads.get("b"))).toBe(true)
      expect(Option.isSome(yield* leads.get("c"))).toBe(true)
      expect(yield* followUps.latestLead(602)).toEqual(Option.none())
      expect(yield* followUps.latestLead(603)).toEqual(Option.some("c"))
    }).pipe(Effect.provide(stores())))

  it.scoped("a unit that waits midway (an asynchronous step) is written once; its caller hears its result", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const followUps = yield* FollowUpState
      const { atomically } = yield* Transactor
      const waits = (id: string, person: number) =>
        atomically(
          leads.record(lead(id, 1, "clients", person), 0).pipe(
            Effect.zipLeft(Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))),
            Effect.zipLeft(followUps.attach(person, id))
          )
        )
      const quick = (id: string, person: number) =>
        atomically(leads.record(lead(id, 1, "clients", person), 0).pipe(Effect.zipLeft(followUps.attach(person, id))))
      const [w, q] = yield* Effect.all([waits("w", 701), quick("q", 702)], { concurrency: "unbounded" })
      expect([w, q]).toEqual([true, true])
      expect(yield* followUps.latestLead(701)).toEqual(Option.some("w"))
      expect(yield* followUps.latestLead(702)).toEqual(Option.some("q"))
      // Written once: the same tap again is a repeat.
      expect(yield* atomically(leads.record({ ...lead("w2", 1, "clients", 701) }, 0))).toBe(false)
    }).pipe(Effect.provide(stores())))

  it.scoped("follow-ups are numbered per lead, queued until applied, and the edited ones remembered", () =>
    followUpNumbering.pipe(Effect.provide(stores())))

  it.scoped("handled updates are forgotten after the retention; unhandled ones and the newest stay", () =>
    forgetting.pipe(Effect.provide(stores())))

  it.scoped("the inbox records each update_id once and returns only the new ones", () =>
    Effect.gen(function*() {
      const inbox = yield* Inbox
      const a = tapUpdate({ id: 1, first_name: "A" }, "lead:agency:clients")
      const b = tapUpdate({ id: 2, first_name: "B" }, "lead:cg:ai_video")
      expect((yield* inbox.record([a, b])).map((u) => u.update_id)).toEqual([a.update_id, b.update_id])
      yield* inbox.markHandled([a.update_id])
      // Seen before, handled or not: it is handled where it was recorded first (or at the next start).
      expect(yield* inbox.record([a, b])).toEqual([])
      expect(yield* inbox.unhandled).toEqual([b])
      expect(yield* inbox.lastRecorded).toEqual(Option.some(b.update_id))
    }).pipe(Effect.provide(stores())))

  it.scoped("a manager's message is one relay; pending ones in order; due, retried, settled once", () =>
    relaying.pipe(Effect.provide(stores())))

  it.scoped("a person's topic: the first stands, a dropped one goes, whose a topic is", () =>
    personTopics.pipe(Effect.provide(stores())))

  it.scoped("which admin-chat message concerns whom; the first record stands", () =>
    adminMessagesAbout.pipe(Effect.provide(stores())))

  it.scoped("one lead per tap: the same tap recorded again makes no second lead", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      expect(yield* leads.record({ ...lead("first", 1000), tapId: "q-same" }, 0)).toBe(true)
      // Another service, so the repeat-tap rule does not apply: only the tap's own uniqueness keeps it out.
      expect(yield* leads.record({ ...lead("copy", 1000, "ai_video"), tapId: "q-same" }, 0)).toBe(false)
      expect((yield* leads.undelivered).map((r) => r.lead.id)).toEqual(["first"])
    }).pipe(Effect.provide(stores())))

  it.scoped("Retention forgets hourly handled updates (UPDATES_RETENTION_DAYS), /starts (STATS_RETENTION_DAYS)", () =>
    Effect.gen(function*() {
      const inbox = yield* Inbox
      const old = tapUpdate({ id: 501, first_name: "G" }, "lead:agency:clients")
      const newest = tapUpdate({ id: 502, first_name: "H" }, "lead:agency:clients")
      yield* inbox.record([old, newest])
      yield* inbox.markHandled([old.update_id, newest.update_id])
      const starts = yield* StartEvents
      yield* starts.record({ telegramId: 501, brand: Option.none(), campaign: Option.some("vk"), at: 0 })
      yield* Layer.build(
        Retention.pipe(Layer.provide(testConfigWith({ updatesRetentionDays: 2, statsRetentionDays: 3 })))
      )
      yield* TestClock.adjust("2 days")
      expect(yield* inbox.record([old])).toEqual([])
      yield* TestClock.adjust("1 day")
      // Handled 3 days ago: forgotten at the next hourly run, so it would count as new.
      expect(yield* inbox.record([old])).toEqual([old])
      expect(yield* inbox.lastRecorded).toEqual(Option.some(newest.update_id))
      expect(yield* starts.campaignOf(501, 0)).toEqual(Option.some("vk"))
      yield* TestClock.adjust("1 hour")
      expect(yield* starts.campaignOf(501, 0)).toEqual(Option.none())
    }).pipe(Effect.provide(stores())))
})

/** What only the SQL stores have: lease rows, replicas racing, forgetPerson. */
describe.each(sqlBackends)("the SQL stores on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }

  it.scoped("leases: exclusive on SQLite (no lease row is ever written), shared on PostgreSQL", () =>
    Effect.gen(function*() {
      const leases = yield* Leases
      const sql = yield* SqlClient.SqlClient
      expect(leases.exclusive).toBe(sql.onDialectOrElse({ pg: () => false, orElse: () => true }))
      if (!leases.exclusive) return yield* sharedLeases
      yield* leases.claim("chat", ["1"], 60_000)
      yield* leases.renew("chat", ["1"], 60_000)
      expect(yield* sql`SELECT COUNT(*) AS n FROM leases`).toEqual([{ n: 0 }])
    }).pipe(Effect.provide(stores())))

  it.scoped("one lead per tap, even when two replicas record it at the same moment", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const sql = yield* SqlClient.SqlClient
      const copy = (i: number) => leads.record({ ...lead(`copy ${i}`, 1000), tapId: "q-same" }, 0)
      // The first replica's transaction has written the lead and not committed when the second records it.
      const written = yield* Deferred.make<void>()
      const commit = yield* Deferred.make<void>()
      const first = yield* Effect.fork(sql.withTransaction(
        copy(1).pipe(Effect.tap(() => Deferred.succeed(written, undefined)), Effect.zipLeft(Deferred.await(commit)))
      ))
      yield* Deferred.await(written)
      const second = yield* Effect.fork(copy(2))
      yield* Effect.sleep("200 millis").pipe(TestServices.provideLive)
      yield* Deferred.succeed(commit, undefined)
      const recorded = [yield* Fiber.join(first), yield* Fiber.join(second)]
      expect(recorded.filter(Boolean)).toHaveLength(1)
      expect((yield* leads.undelivered).map((r) => r.lead.tapId)).toEqual(["q-same"])
    }).pipe(Effect.provide(stores())))

  it.scoped("forgetPerson deletes one person's leads, attempts, follow-ups, pointer and updates; nobody else's", () =>
    Effect.gen(function*() {
      const leads = yield* LeadStore
      const followUps = yield* FollowUpState
      const inbox = yield* Inbox
      const about = yield* AdminMessages
      const relays = yield* Relays
      const starts = yield* StartEvents
      for (const [id, person] of [["theirs", 501], ["other", 502]] as const) {
        yield* starts.record({ telegramId: person, brand: Option.some("agency"), campaign: Option.none(), at: 900 })
        yield* starts.record({ telegramId: person, brand: Option.none(), campaign: Option.some("vk"), at: 950 })
        yield* leads.record(lead(id, 1000, "clients", person), 0)
        yield* leads.recordAttempt(id, { at: 1100, error: "CrmTimeoutError", adminError: Option.none() })
        yield* followUps.attach(person, id)
        yield* followUps.add({
          leadId: id,
          chatId: person,
          messageId: 7,
          media: Option.none(),
          text: "my brief",
          phone: false
        })
        yield* followUps.add({
          leadId: id,
          chatId: person,
          messageId: 8,
          media: Option.none(),
          text: "+79991234567",
          phone: true
        })
        yield* inbox.record([tapUpdate({ id: person, first_name: "P" }, "lead:agency:clients")])
        yield* about.record([{ chatId: -100, messageId: person, telegramId: person }])
        yield* relays.record({
          id: `-100:${person + 1000}`,
          adminChatId: -100,
          adminMessageId: person + 1000,
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
      const forgotten = yield* forgetPerson(501)
      expect(forgotten).toEqual({
        leads: 1,
        attempts: 1,
        followUps: 2,
        latestLead: 1,
        leases: 0,
        updates: 1,
        relays: 1,
        adminMessages: 1,
        starts: 2
      })
      // A reply to a message about them: the store says they were forgotten; nobody else's changed.
      expect(yield* about.concerning(-100, 501)).toEqual(Option.some({ _tag: "Forgotten" }))
      expect(yield* about.concerning(-100, 502)).toEqual(
        Option.some({ _tag: "Person", telegramId: 502, leadId: Option.none() })
      )
      expect(yield* relays.pendingOf(502)).toHaveLength(1)
      expect(yield* leads.get("theirs")).toEqual(Option.none())
      expect(yield* followUps.latestLead(501)).toEqual(Option.none())
      expect(Option.isSome(yield* leads.get("other"))).toBe(true)
      expect(yield* followUps.latestLead(502)).toEqual(Option.some("other"))
      expect((yield* inbox.unhandled).map((u) => u.callback_query?.from.id)).toEqual([502])
      expect(yield* starts.campaignOf(501, 0)).toEqual(Option.none())
      expect(yield* starts.campaignOf(502, 0)).toEqual(Option.some("vk"))
      // Their phone went with their follow-ups.
      expect(yield* followUps.phoneOf("theirs")).toEqual(Option.none())
      expect(yield* followUps.phoneOf("other")).toEqual(Option.some("+79991234567"))
    }).pipe(Effect.provide(stores())))
})
