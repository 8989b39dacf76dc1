import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"

import { FollowUpState } from "../../src/store/FollowUpState.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { Stats } from "../../src/store/Stats.js"
import { leadOfPerson as lead } from "../support/leads.js"
import { storeImplementations } from "../support/storeImplementations.js"

const fallback = { _tag: "Fallback", chatId: Option.some(-100500), messageId: 7, html: "<b>lead</b>" } as const

/** A recorded lead that fell back to the managers' chat. */
const fellBack = (id: string, createdAt: number, telegramId: number) =>
  Effect.gen(function*() {
    const leads = yield* LeadStore
    expect(yield* leads.record(lead(id, createdAt, telegramId), 0)).toBe(true)
    expect(yield* leads.setOutcome(id, fallback)).toBe(true)
    yield* leads.settle(id, 0)
  })

const reconcileOf = (id: string) =>
  Effect.map(LeadStore, (leads) => leads.get(id)).pipe(
    Effect.flatten,
    Effect.map((r) => Option.getOrThrow(r).reconcile)
  )

/**
 * For every store: a fallback awaiting its CRM is due from its time, oldest lead first; a failure makes it due later,
 * counted; the CRM's taking it ends it once (and makes the lead due, to show it), takes it out of the leads awaiting
 * entry and counts it as the CRM's; a manager's press ends it and wins over a later failure, but not over the CRM's
 * taking it (both are kept, so the message says both).
 */
const reconciliation = Effect.gen(function*() {
  const leads = yield* LeadStore
  yield* fellBack("old", 10, 501)
  yield* fellBack("new", 20, 502)
  yield* fellBack("pressed", 30, 503)
  yield* leads.awaitCrm("new", 100)
  yield* leads.awaitCrm("old", 200)
  yield* leads.awaitCrm("pressed", 100)
  expect(yield* leads.reconcileDue(99, 10)).toEqual([])
  expect(yield* leads.reconcileDue(150, 10)).toEqual(["new", "pressed"])
  expect(yield* leads.reconcileDue(300, 10)).toEqual(["old", "new", "pressed"])
  expect(yield* leads.reconcileDue(300, 2)).toEqual(["old", "new"])

  // A failed try: due later, one retry more.
  yield* leads.reconcileLater("new", Option.some(1000))
  expect(yield* reconcileOf("new")).toEqual({
    dueAt: Option.some(1000),
    retries: 1,
    reconciledAt: Option.none(),
    shown: false
  })
  expect(yield* leads.reconcileDue(300, 10)).toEqual(["old", "pressed"])

  // A manager's press ends it; an attempt under way that fails then changes nothing, nor does a later awaitCrm.
  expect(yield* leads.markHandled("pressed", { by: "@olga", at: 250 })).toBe(true)
  yield* leads.reconcileLater("pressed", Option.some(2000))
  yield* leads.awaitCrm("pressed", 2000)
  expect((yield* reconcileOf("pressed")).dueAt).toEqual(Option.none())
  expect(yield* leads.reconcileDue(10_000, 10)).toEqual(["old", "new"])

  // The CRM took "old": once; the lead is due (its message is to say so); a press then is refused.
  const before = Option.getOrThrow(yield* leads.get("old")).work.wakes
  expect(yield* leads.reconciled("old", 400)).toBe(true)
  expect(yield* leads.reconciled("old", 500)).toBe(false)
  const old = Option.getOrThrow(yield* leads.get("old"))
  expect(old.reconcile).toEqual({ dueAt: Option.none(), retries: 0, reconciledAt: Option.some(400), shown: false })
  expect(old.work.wakes).toBe(before + 1)
  expect(Option.isSome(old.work.dueAt)).toBe(true)
  expect(yield* leads.markHandled("old", { by: "@olga", at: 450 })).toBe(false)
  expect(Option.getOrThrow(yield* leads.get("old")).handled).toEqual(Option.none())
  yield* leads.markReconciledShown("old")
  expect((yield* reconcileOf("old")).shown).toBe(true)

  // A press while an attempt was under way, then the attempt succeeded: both kept.
  expect(yield* leads.reconciled("pressed", 600)).toBe(true)
  const pressed = Option.getOrThrow(yield* leads.get("pressed"))
  expect([Option.isSome(pressed.handled), pressed.reconcile.reconciledAt]).toEqual([true, Option.some(600)])

  // Awaiting entry: only "new" (neither marked nor in the CRM); awaitCrm on a reconciled lead changes nothing.
  expect((yield* leads.awaitingEntry).map((r) => r.lead.id)).toEqual(["new"])
  yield* leads.awaitCrm("old", 3000)
  expect(yield* leads.reconcileDue(10_000, 10)).toEqual(["new"])

  // It is over (its time is up): due no more.
  yield* leads.reconcileLater("new", Option.none())
  expect(yield* leads.reconcileDue(10_000, 10)).toEqual([])

  // /stats: the two the CRM took count as the CRM's (late), the one left as the managers'.
  const [brand] = (yield* (yield* Stats).leadTallies(0)).filter((t) => t.scope === "brand")
  expect([brand!.crm, brand!.fallback]).toEqual([2, 1])
})

/** For every store: a follow-up keeps when it came; a lead's follow-ups all, oldest first. */
const followUpTimes = Effect.gen(function*() {
  const leads = yield* LeadStore
  const followUps = yield* FollowUpState
  expect(yield* leads.record(lead("l", 1, 501), 0)).toBe(true)
  yield* TestClock.setTime(5000)
  const base = { leadId: "l", chatId: 501, media: Option.none(), phone: false }
  const first = yield* followUps.add({ ...base, messageId: 1, text: "first" })
  yield* TestClock.setTime(6000)
  const phone = yield* followUps.add({ ...base, messageId: 2, text: "+79990001122", phone: true })
  yield* followUps.markApplied("l", first.seq, "edit")
  expect(yield* followUps.allOf("l")).toEqual([{ followUp: first, at: 5000 }, { followUp: phone, at: 6000 }])
  expect(yield* followUps.allOf("other")).toEqual([])
})

describe.each(storeImplementations)("reconciliation in the store on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }
  it.scoped("due oldest first, retried later, ended once by the CRM or a press (a press loses to a success)", () =>
    reconciliation.pipe(Effect.provide(stores())))
  it.scoped("a follow-up keeps when it came; a lead's follow-ups all, in order", () =>
    followUpTimes.pipe(Effect.provide(stores())))
})
