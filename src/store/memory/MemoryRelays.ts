import { Effect, Layer, Option } from "effect"

import type { Relay } from "../../lead/Lead.js"
import { Relays } from "../Relays.js"
import { dueBy, retriedLater } from "./dueWork.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

const inOrder = (a: Relay, b: Relay) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)

/** The managers' outbox in memory (unit tests), under the SQL store's rules. */
export const MemoryRelays = Layer.effect(
  Relays,
  Effect.sync(() => {
    const relays = new MemoryTable<string, Relay>()
    const change = (id: string, f: (r: Relay) => Relay | undefined) =>
      write((unit) => {
        const relay = relays.get(id)
        const changed = relay === undefined ? undefined : f(relay)
        if (changed !== undefined) relays.set(unit, id, changed)
      })
    /** Every relay to the person, settled or not. */
    const theirs = (telegramId: number) => relays.values().filter((r) => Option.contains(r.telegramId, telegramId))
    return Relays.of({
      record: (relay) =>
        write((unit) => {
          if (relays.has(relay.id)) return false
          relays.set(unit, relay.id, {
            ...relay,
            outcome: Option.none(),
            dueAt: Option.some(relay.createdAt),
            retries: 0
          })
          return true
        }),
      get: (id) => read(() => Option.fromNullable(relays.get(id))),
      pendingOf: (telegramId) =>
        read(() =>
          relays.values().filter((r) => Option.contains(r.telegramId, telegramId) && Option.isNone(r.outcome))
            .sort(inOrder)
        ),
      peopleDue: (now, limit) =>
        read(() =>
          [
            ...new Set(
              relays.values().flatMap((r) => (Option.isSome(dueBy(r, now)) ? Option.toArray(r.telegramId) : []))
            )
          ].slice(0, limit)
        ),
      retryLater: (id, at) => change(id, (r) => retriedLater(r, at)),
      settle: (id, outcome) =>
        change(
          id,
          (r) => (Option.isSome(r.outcome) ? undefined : { ...r, outcome: Option.some(outcome), dueAt: Option.none() })
        ),
      countOf: (telegramId) => read(() => theirs(telegramId).length),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const forgotten = theirs(telegramId)
          for (const r of forgotten) relays.delete(unit, r.id)
          return forgotten.length
        })
    })
  })
)
