import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"

import { CrmNotes } from "../../src/store/CrmNotes.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { leadOfPerson as lead } from "../support/leads.js"
import { storeImplementations } from "../support/storeImplementations.js"

const note = (leadId: string, key: string, createdAt: number) => ({
  leadId,
  key,
  kind: "note" as const,
  text: `${key} of ${leadId}`,
  createdAt
})

/** For every store: each note once by its key, a lead's in order; due oldest first; a retried note holds its lead. */
const notesOutbox = Effect.gen(function*() {
  const leads = yield* LeadStore
  const notes = yield* CrmNotes
  expect(yield* leads.record(lead("l1", 1, 501), 0)).toBe(true)
  expect(yield* leads.record(lead("l2", 2, 502), 0)).toBe(true)
  yield* notes.queue([note("l1", "lead", 100), note("l1", "follow-up:1", 101), note("l2", "lead", 102)])
  yield* notes.queue([{ ...note("l1", "lead", 150), text: "again" }]) // its key once: the first stands
  const keysOf = (leadId: string) => Effect.map(notes.pendingOf(leadId), (p) => p.map((n) => [n.key, n.text]))
  expect(yield* keysOf("l1")).toEqual([["lead", "lead of l1"], ["follow-up:1", "follow-up:1 of l1"]])
  expect(yield* notes.leadsDue(99, 10)).toEqual([])
  expect(yield* notes.leadsDue(200, 10)).toEqual(["l1", "l2"])
  expect(yield* notes.leadsDue(200, 1)).toEqual(["l1"])

  // l1's first note failed: l1 waits for its retry, its later note behind it; l2 goes on.
  yield* notes.retryLater("l1", "lead", 500)
  expect(yield* notes.leadsDue(200, 10)).toEqual(["l2"])
  const [retried] = yield* notes.pendingOf("l1")
  expect([retried!.dueAt, retried!.retries]).toEqual([Option.some(500), 1])
  expect(yield* notes.leadsDue(600, 10)).toEqual(["l1", "l2"])

  // Settled: due no more, and a retry that comes too late (another replica's) changes nothing.
  yield* notes.settle("l1", "lead", "sent")
  yield* notes.retryLater("l1", "lead", 900)
  expect(yield* keysOf("l1")).toEqual([["follow-up:1", "follow-up:1 of l1"]])
  expect(yield* notes.leadsDue(200, 10)).toEqual(["l1", "l2"])
  yield* notes.settle("l1", "follow-up:1", "refused")
  yield* notes.settle("l2", "lead", "sent")
  expect(yield* notes.leadsDue(10_000, 10)).toEqual([])
})

describe.each(storeImplementations)("the CRM notes' outbox on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }
  it.scoped("each note once by its key, in order; due oldest first; a retried note holds its lead's later ones", () =>
    notesOutbox.pipe(Effect.provide(stores())))
})
