import { Effect } from "effect"

/** One permit per key (first come, first served): work on the same key never interleaves; idle keys are forgotten. */
export const makeKeyedLock = <K = string>() =>
  Effect.sync(() => {
    const locks = new Map<K, { readonly semaphore: Effect.Semaphore; users: number }>()
    return <A, E, R>(key: K, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.suspend(() => {
        let entry = locks.get(key)
        if (entry === undefined) {
          entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
          locks.set(key, entry)
        }
        const held = entry
        held.users++
        return held.semaphore.withPermits(1)(effect).pipe(
          Effect.ensuring(Effect.sync(() => {
            if (--held.users === 0) locks.delete(key)
          }))
        )
      })
  })
