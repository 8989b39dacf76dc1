import { Effect, Schedule } from "effect"

import type { LeaseKind } from "../store/Leases.js"
import { Leases } from "../store/Leases.js"
import { makeKeyedLock } from "./KeyedLock.js"

/**
 * Work on keys (chats, leads) that one process holds at a time, for a lease: the one module both the intake and
 * delivery use. A claim gives this process a key (on an exclusive store, always, and at no cost); each claim is
 * worked on by one `run`, and runs on one key take turns, in the order they came. While a key is claimed or worked
 * on, a shared store's lease on it is renewed; after its last run it is let go. At shutdown, the leases still held
 * are let go, so other replicas go on at once.
 */
export const makeLeasedWork = (kind: LeaseKind, leaseMillis: number) =>
  Effect.gen(function*() {
    const leases = yield* Leases
    const withKeyLock = yield* makeKeyedLock<string>()
    /** Claims not yet worked off, per key. */
    const held = new Map<string, number>()

    const hold = (keys: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const key of keys) held.set(key, (held.get(key) ?? 0) + 1)
      })
    const letGo = (key: string) =>
      Effect.suspend(() => {
        const left = (held.get(key) ?? 1) - 1
        if (left > 0) {
          held.set(key, left)
          return Effect.void
        }
        held.delete(key)
        return leases.exclusive
          ? Effect.void
          : leases.release(kind, [key]).pipe(Effect.catchAll((e) => Effect.logWarning(`letting go: ${e.message}`)))
      })

    /**
     * The store's part of a claim: takes the keys no other process holds and returns them. Inside a unit of the
     * transactor (which may run twice, or roll back), follow it with `hold` once the unit has committed.
     */
    const take = (keys: ReadonlyArray<string>) => leases.claim(kind, keys, leaseMillis)
    /** Claims the keys no other process holds; returns those this process now holds (each for one run). */
    const claim = (keys: ReadonlyArray<string>) => take(keys).pipe(Effect.tap(hold))

    /** Works on a claimed key, after the runs on it that came before; the claim is used up when it ends. */
    const run = <A, E, R>(key: string, work: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      withKeyLock(key, work).pipe(Effect.ensuring(letGo(key)))

    if (!leases.exclusive) {
      const renew = Effect.suspend(() => leases.renew(kind, [...held.keys()], leaseMillis)).pipe(
        Effect.catchAll((e) => Effect.logWarning(`renewing ${kind} leases: ${e.message}`))
      )
      yield* renew.pipe(Effect.repeat(Schedule.spaced(leaseMillis / 3)), Effect.interruptible, Effect.forkScoped)
      yield* Effect.addFinalizer(() => Effect.suspend(() => leases.release(kind, [...held.keys()])).pipe(Effect.ignore))
    }

    return {
      /** The store is this process's alone: no other holder can have a key, and nothing needs sweeping. */
      exclusive: leases.exclusive,
      claim,
      take,
      hold,
      run,
      /** This process has claimed the key and not worked it off yet. */
      holds: (key: string) => held.has(key)
    } as const
  })
