import { Effect, Layer, Option } from "effect"

import type { PendingCrmNote } from "../../lead/CrmNote.js"
import { CrmNotes } from "../CrmNotes.js"
import { MemoryLeadRows } from "./MemoryLeadStore.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

const inOrder = (a: PendingCrmNote, b: PendingCrmNote) => a.createdAt - b.createdAt || a.key.localeCompare(b.key)

/** The notes' outbox in memory (unit tests), under the SQL store's rules. */
export const MemoryCrmNotes = Layer.effect(
  CrmNotes,
  Effect.gen(function*() {
    const leads = yield* MemoryLeadRows
    const notes = new MemoryTable<string, PendingCrmNote & { readonly settled: boolean }>()
    const keyOf = (leadId: string, key: string) => `${leadId}\n${key}`
    const change = (
      leadId: string,
      key: string,
      f: (n: PendingCrmNote & { settled: boolean }) => typeof n | undefined
    ) =>
      write((unit) => {
        const note = notes.get(keyOf(leadId, key))
        const changed = note === undefined ? undefined : f(note)
        if (changed !== undefined) notes.set(unit, keyOf(leadId, key), changed)
      })
    return CrmNotes.of({
      queue: (queued) =>
        write((unit) => {
          for (const n of queued) {
            if (notes.has(keyOf(n.leadId, n.key))) continue
            notes.set(unit, keyOf(n.leadId, n.key), {
              ...n,
              dueAt: Option.some(n.createdAt),
              retries: 0,
              settled: false
            })
          }
        }),
      pendingOf: (leadId) =>
        read(() =>
          notes.values().filter((n) => n.leadId === leadId && !n.settled).sort(inOrder).map(({ settled: _, ...n }) => n)
        ),
      // As in SQL: a lead whose note waits for its retry is not due before it; oldest first.
      leadsDue: (now, limit) =>
        read(() => {
          const pending = notes.values().filter((n) => !n.settled)
          const waiting = new Set(pending.filter((n) => Option.exists(n.dueAt, (at) => at > now)).map((n) => n.leadId))
          const firstDue = new Map<string, number>()
          for (const n of pending) {
            if (waiting.has(n.leadId) || !Option.exists(n.dueAt, (at) => at <= now)) continue
            firstDue.set(n.leadId, Math.min(firstDue.get(n.leadId) ?? Infinity, Option.getOrThrow(n.dueAt)))
          }
          return [...firstDue].sort((a, b) => a[1] - b[1]).map(([leadId]) => leadId).slice(0, limit)
        }),
      retryLater: (leadId, key, at) =>
        change(leadId, key, (n) => (n.settled ? undefined : { ...n, dueAt: Option.some(at), retries: n.retries + 1 })),
      settle: (leadId, key) =>
        change(leadId, key, (n) => (n.settled ? undefined : { ...n, settled: true, dueAt: Option.none() })),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = new Set(
            leads.all().filter((r) => r.record.lead.contact.telegramId === telegramId).map((r) => r.record.lead.id)
          )
          const forgotten = notes.values().filter((n) => theirs.has(n.leadId))
          for (const n of forgotten) notes.delete(unit, keyOf(n.leadId, n.key))
          return forgotten.length
        })
    })
  })
)
