import { Effect, Layer, Option } from "effect"

import type { Erasure } from "../../lead/Erasure.js"
import { Erasures } from "../Erasures.js"
import { StoreError } from "../StoreError.js"
import { dueBy, retriedLater } from "./dueWork.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

/** The erasures' outbox in memory (unit tests), under the SQL store's rules. */
export const MemoryErasures = Layer.effect(
  Erasures,
  Effect.sync(() => {
    const erasures = new MemoryTable<string, Erasure>()
    /** Changes an erasure that exists; false when `f` leaves it as it is (or there is none). */
    const change = (id: string, f: (e: Erasure) => Erasure | undefined) =>
      write((unit) => {
        const erasure = erasures.get(id)
        const changed = erasure === undefined ? undefined : f(erasure)
        if (changed === undefined) return false
        erasures.set(unit, id, changed)
        return true
      })

    return Erasures.of({
      // An id is one erasure (the SQL store's primary key): a second is an error, not a no-op.
      queue: (erasure) =>
        write((unit) => {
          if (erasures.has(erasure.id)) return false
          erasures.set(unit, erasure.id, {
            ...erasure,
            steps: erasure.steps.map((step, seq) => ({ ...step, seq, done: false })),
            dueAt: Option.some(erasure.createdAt),
            retries: 0
          })
          return true
        }).pipe(
          Effect.flatMap((queued) =>
            queued ? Effect.void : new StoreError({ operation: "queueErasure", cause: `erasure ${erasure.id} exists` })
          )
        ),
      get: (id) => read(() => Option.fromNullable(erasures.get(id))),
      stepDone: (id, seq) =>
        change(id, (e) => ({ ...e, steps: e.steps.map((step) => (step.seq === seq ? { ...step, done: true } : step)) }))
          .pipe(Effect.asVoid),
      // One process's store: no lease of another holds an erasure.
      due: (now, limit) =>
        read(() =>
          erasures.values()
            .flatMap((e) => Option.toArray(Option.map(dueBy(e, now), (at) => ({ id: e.id, at }))))
            .sort((a, b) => a.at - b.at)
            .slice(0, limit)
            .map((due) => due.id)
        ),
      retryLater: (id, at) => change(id, (e) => retriedLater(e, at)).pipe(Effect.asVoid),
      settle: (id) =>
        change(id, (e) => (Option.isNone(e.dueAt) ? undefined : { ...e, dueAt: Option.none(), retries: 0 }))
    })
  })
)
