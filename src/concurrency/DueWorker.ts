import { Clock, Effect, FiberSet, Schedule } from "effect"

import type { LeaseKind } from "../store/Leases.js"
import type { StoreError } from "../store/StoreError.js"
import { makeLeasedWork } from "./LeasedWork.js"
import { PeopleFirst } from "./PeopleFirst.js"

/** How often the store is asked for work due that nobody works on (retries whose time came), and how much. */
const DUE_EVERY = "1 second"
const DUE_BATCH = 100

export interface DueWork {
  /** What the work is on (a lead, a person's relays): one process holds a key at a time, for a lease. */
  readonly kind: LeaseKind
  readonly leaseMillis: number
  /** Up to `limit` keys due at `now` that no live lease holds. */
  readonly due: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** The work on a key this process holds; it keeps in the store what is left and when to try it. */
  readonly process: (key: string) => Effect.Effect<void>
  /** Runs before the worker's fibers are interrupted at shutdown (the attempts under way finish). */
  readonly beforeStop: Effect.Effect<void>
  /** How many keys are taken each second at most (default DUE_BATCH): work that is to go at a pace. */
  readonly batch?: number
}

/**
 * Outgoing work kept in the store (leads to deliver, managers' messages to relay): a key is worked on when it is
 * scheduled (its work came in here) and whenever the store finds it due that nobody works on (a retry whose time came,
 * what a previous run left, on a shared store a dead replica's). People waiting for an answer go first.
 */
export const makeDueWorker = ({ batch = DUE_BATCH, beforeStop, due, kind, leaseMillis, process }: DueWork) =>
  Effect.gen(function*() {
    const { yieldToPeople } = yield* PeopleFirst
    const work = yield* makeLeasedWork(kind, leaseMillis)
    const fibers = yield* FiberSet.make()

    /**
     * Runs in the background and returns at once. It stays interruptible (shutdown ends it between attempts) even
     * when started from an uninterruptible region.
     */
    const inBackground = (effect: Effect.Effect<void>) =>
      FiberSet.run(
        fibers,
        effect.pipe(
          Effect.catchAllCause((cause) => Effect.logError(`${kind} work failed`, cause)),
          Effect.interruptible
        )
      ).pipe(Effect.asVoid)

    const run = (key: string) => work.run(key, process(key))

    /** Keys whose work came in while people wait: taken together, by one fiber, once they have their answers. */
    const scheduled = new Set<string>()
    let taking = false
    const takeScheduled = yieldToPeople.pipe(
      Effect.zipRight(Effect.sync(() => {
        const keys = [...scheduled]
        scheduled.clear()
        taking = false
        return keys
      })),
      Effect.flatMap(work.claim),
      Effect.flatMap((claimed) => Effect.forEach(claimed, (key) => inBackground(run(key)), { discard: true })),
      // Not taken now, still due in the store: the next look for work due takes them.
      Effect.catchAll((e) => Effect.logWarning(`taking ${kind} work: ${e.message}`)),
      // Interrupted while it waited: the keys stay for the next schedule to take.
      Effect.onInterrupt(() => Effect.sync(() => (taking = false)))
    )

    /** The key has work: it is taken (unless another process holds it) once people waiting have their answers. */
    const schedule = (key: string) =>
      Effect.suspend(() => {
        scheduled.add(key)
        if (taking) return Effect.void
        taking = true
        return inBackground(takeScheduled)
      })

    const takeDue = Effect.gen(function*() {
      yield* yieldToPeople
      const keys = yield* due(yield* Clock.currentTimeMillis, batch)
      const claimed = yield* work.claim(keys.filter((key) => !work.holds(key)))
      yield* Effect.forEach(claimed, (key) => inBackground(run(key)), { discard: true })
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for ${kind} work due: ${e.message}`)))
    yield* takeDue.pipe(Effect.repeat(Schedule.spaced(DUE_EVERY)), Effect.interruptible, Effect.forkScoped)

    // Then the rest is interrupted; then the leases are let go (makeLeasedWork), so other replicas go on at once.
    yield* Effect.addFinalizer(() => beforeStop.pipe(Effect.zipRight(FiberSet.clear(fibers))))

    return { schedule, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  })
