import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option } from "effect"

import type { ConsentText } from "../../src/lead/Consent.js"
import type { ErasureStep, NewErasure } from "../../src/lead/Erasure.js"
import { Consents } from "../../src/store/Consents.js"
import { Erasures } from "../../src/store/Erasures.js"
import { Leases } from "../../src/store/Leases.js"
import { SqlLeases } from "../../src/store/sql/SqlLeases.js"
import { postgresMissing } from "../support/postgres.js"
import { sqlBackends, storeImplementations } from "../support/storeImplementations.js"

if (postgresMissing) console.warn(`test/unit/privacyStores.test.ts: PostgreSQL ${postgresMissing}`)

const text = (sha256: string, version: string, at: number): ConsentText => ({
  sha256,
  version,
  text: `<b>Согласие</b> ${version}`,
  at
})
const accept = (telegramId: number, sha256: string, version: string, at: number) =>
  Effect.flatMap(Consents, (c) => c.accept({ telegramId, version, textSha256: sha256, at, how: "button" }))

/** The consent log: one standing accept a person and text; a withdrawal ends it and a new accept may follow. */
const consentLog = Effect.gen(function*() {
  const consents = yield* Consents
  yield* consents.keepText(text("h1", "v1", 100))
  // Kept once: the first showing's time and text stay.
  yield* consents.keepText({ ...text("h1", "v1", 900), text: "shown again" })
  expect(yield* consents.textOf("h1")).toEqual(Option.some(text("h1", "v1", 100)))
  expect(yield* consents.textOf("unknown")).toEqual(Option.none())
  yield* consents.keepText(text("h2", "v2", 200))
  expect(yield* consents.accepted(501, "v1")).toBe(false)
  expect(yield* accept(501, "h1", "v1", 1000)).toBe(true)
  expect(yield* accept(501, "h1", "v1", 1100)).toBe(false) // a repeated tap: no second row
  expect(yield* consents.accepted(501, "v1")).toBe(true)
  expect(yield* consents.accepted(501, "v2")).toBe(false)
  expect(yield* consents.accepted(502, "v1")).toBe(false)
  expect(yield* consents.historyOf(501)).toEqual([
    { telegramId: 501, version: "v1", textSha256: "h1", acceptedAt: 1000, how: "button", withdrawnAt: Option.none() }
  ])
  // An accept of a text never kept: the log could not prove it.
  expect(Exit.isFailure(yield* Effect.exit(accept(501, "never kept", "v1", 1200)))).toBe(true)
  expect(yield* accept(501, "h2", "v2", 2000)).toBe(true)
  expect(yield* accept(502, "h1", "v1", 1500)).toBe(true)
  expect(yield* consents.withdraw(501, 3000)).toBe(2)
  expect(yield* consents.withdraw(501, 3100)).toBe(0) // nothing standing: the first withdrawal's time stays
  expect(yield* consents.accepted(501, "v1")).toBe(false)
  expect(yield* consents.accepted(502, "v1")).toBe(true)
  // Accepted again after the withdrawal: a new row, the old one kept.
  expect(yield* accept(501, "h1", "v1", 4000)).toBe(true)
  expect(yield* consents.accepted(501, "v1")).toBe(true)
  expect((yield* consents.historyOf(501)).map((r) => [r.textSha256, r.acceptedAt, r.withdrawnAt])).toEqual([
    ["h1", 1000, Option.some(3000)],
    ["h2", 2000, Option.some(3000)],
    ["h1", 4000, Option.none()]
  ])
  // The whole log, oldest first; two accepts of one millisecond in the order written.
  expect(yield* accept(503, "h2", "v2", 4000)).toBe(true)
  const log = (since: number) =>
    consents.log(since).pipe(Effect.map((rows) => rows.map((r) => `${r.telegramId}@${r.acceptedAt}`)))
  expect(yield* log(0)).toEqual(["501@1000", "502@1500", "501@2000", "501@4000", "503@4000"])
  expect(yield* log(2000)).toEqual(["501@2000", "501@4000", "503@4000"])
  expect(yield* log(4001)).toEqual([])
  // The same text under a new version is a new accept (a new version asks everyone again).
  expect(yield* accept(504, "h1", "v1", 5000)).toBe(true)
  expect(yield* consents.accepted(504, "v1b")).toBe(false)
  expect(yield* accept(504, "h1", "v1b", 5001)).toBe(true)
  expect(yield* consents.accepted(504, "v1b")).toBe(true)
})

/** The asking step: one a person (the latest wins), dropped, and expired with only the never-accepting returned. */
const consentSteps = Effect.gen(function*() {
  const consents = yield* Consents
  yield* consents.keepText(text("h1", "v1", 0))
  yield* consents.saveStep({ telegramId: 501, startPayload: Option.some("agency__vk"), at: 1000 })
  yield* consents.saveStep({ telegramId: 501, startPayload: Option.none(), at: 1100 })
  expect(yield* consents.stepOf(501)).toEqual(Option.some({ telegramId: 501, startPayload: Option.none(), at: 1100 }))
  yield* consents.saveStep({ telegramId: 501, startPayload: Option.some("cg"), at: 1200 })
  expect(yield* consents.stepOf(501)).toEqual(
    Option.some({ telegramId: 501, startPayload: Option.some("cg"), at: 1200 })
  )
  expect(yield* consents.stepOf(502)).toEqual(Option.none())
  yield* consents.saveStep({ telegramId: 505, startPayload: Option.none(), at: 1000 })
  yield* consents.dropStep(505)
  yield* consents.dropStep(505) // none left: nothing
  expect(yield* consents.stepOf(505)).toEqual(Option.none())
  // 502 accepted (an older version still counts: they gave consent once); 503 withdrew; 504 asked later.
  yield* consents.saveStep({ telegramId: 502, startPayload: Option.none(), at: 1000 })
  yield* consents.saveStep({ telegramId: 503, startPayload: Option.none(), at: 1000 })
  yield* consents.saveStep({ telegramId: 504, startPayload: Option.none(), at: 5000 })
  yield* accept(502, "h1", "v1", 1500)
  yield* accept(503, "h1", "v1", 1500)
  yield* consents.withdraw(503, 1600)
  expect([...(yield* consents.expireSteps(5000))].sort()).toEqual([501, 503])
  for (const gone of [501, 502, 503]) expect(yield* consents.stepOf(gone)).toEqual(Option.none())
  expect(Option.isSome(yield* consents.stepOf(504))).toBe(true)
  expect(yield* consents.expireSteps(5000)).toEqual([])
  // The log is not the step's: it stays.
  expect((yield* consents.historyOf(502)).length).toBe(1)
})

const steps: NewErasure["steps"] = [
  { kind: "edit", chatId: -100, targetId: Option.some(7), text: "🗑 Данные удалены по запросу человека" },
  { kind: "topic", chatId: -100, targetId: Option.some(10), text: "🗑 Данные удалены" },
  { kind: "notice", chatId: -200, targetId: Option.none(), text: "В CRM были: MONSTER AGENCY" }
]
const stepsAsQueued: ReadonlyArray<ErasureStep> = steps.map((step, seq) => ({ ...step, seq, done: false }))

/** The erasures' outbox: queued due at once, its steps in order, each done once; retried later; settled once. */
const erasureWork = Effect.gen(function*() {
  const erasures = yield* Erasures
  yield* erasures.queue({ id: "e1", by: "person", createdAt: 1000, steps })
  expect(yield* erasures.get("e1")).toEqual(Option.some({
    id: "e1",
    by: "person",
    createdAt: 1000,
    steps: stepsAsQueued,
    dueAt: Option.some(1000),
    retries: 0
  }))
  expect(yield* erasures.get("unknown")).toEqual(Option.none())
  // An id is one erasure.
  expect(Exit.isFailure(yield* Effect.exit(erasures.queue({ id: "e1", by: "operator", createdAt: 1, steps })))).toBe(
    true
  )
  expect(Option.getOrThrow(yield* erasures.get("e1")).by).toBe("person")
  expect(yield* erasures.due(999, 10)).toEqual([])
  expect(yield* erasures.due(1000, 10)).toEqual(["e1"])
  yield* erasures.stepDone("e1", 1)
  yield* erasures.stepDone("e1", 1)
  yield* erasures.stepDone("unknown", 0)
  const done = (id: string) => erasures.get(id).pipe(Effect.map((e) => Option.getOrThrow(e).steps.map((s) => s.done)))
  expect(yield* done("e1")).toEqual([false, true, false])
  yield* erasures.retryLater("e1", 5000)
  const e1 = Option.getOrThrow(yield* erasures.get("e1"))
  expect([e1.dueAt, e1.retries]).toEqual([Option.some(5000), 1])
  expect(yield* erasures.due(4999, 10)).toEqual([])
  // Soonest first, at most `limit`; one with no steps is work too (it is settled at once).
  yield* erasures.queue({ id: "e2", by: "operator", createdAt: 3000, steps: [] })
  expect(Option.getOrThrow(yield* erasures.get("e2")).steps).toEqual([])
  expect(yield* erasures.due(6000, 1)).toEqual(["e2"])
  expect(yield* erasures.due(6000, 10)).toEqual(["e2", "e1"])
  yield* erasures.stepDone("e1", 0)
  yield* erasures.stepDone("e1", 2)
  expect(yield* done("e1")).toEqual([true, true, true])
  expect(yield* erasures.settle("e1")).toBe(true)
  expect(yield* erasures.settle("e1")).toBe(false)
  expect(yield* erasures.settle("unknown")).toBe(false)
  expect(yield* erasures.due(10_000, 10)).toEqual(["e2"])
  expect(Option.getOrThrow(yield* erasures.get("e1")).dueAt).toEqual(Option.none())
})

describe.each(storeImplementations)("the consent and erasure stores on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }

  it.scoped("the consent log: one standing accept a text, withdrawn, accepted again; history and log in order", () =>
    consentLog.pipe(Effect.provide(stores())))

  it.scoped("the asking step: the latest wins, dropped, expired (only the never-accepting returned)", () =>
    consentSteps.pipe(Effect.provide(stores())))

  it.scoped("erasures: queued due at once, steps in order done once, retried later, settled once", () =>
    erasureWork.pipe(Effect.provide(stores())))
})

describe.each(sqlBackends)("erasures on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }

  it.scoped("an erasure another replica's live lease holds is not due here (PostgreSQL; SQLite's are exclusive)", () =>
    Effect.gen(function*() {
      const erasures = yield* Erasures
      const leases = yield* Leases
      yield* erasures.queue({ id: "held", by: "person", createdAt: 1000, steps })
      expect(yield* erasures.due(2000, 10)).toEqual(["held"])
      if (leases.exclusive) return expect(leases.holder).toBe("local")
      const other = yield* Layer.build(SqlLeases).pipe(Effect.map(Context.get(Leases)))
      expect(yield* other.claim("erasure", ["held"], 60_000)).toEqual(["held"])
      expect(yield* erasures.due(2000, 10)).toEqual([])
      expect(yield* leases.claim("erasure", ["held"], 60_000)).toEqual([]) // held: not anyone else's to take
      yield* other.release("erasure", ["held"])
      expect(yield* erasures.due(2000, 10)).toEqual(["held"])
    }).pipe(Effect.provide(stores())))
})
