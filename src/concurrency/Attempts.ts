import { Effect } from "effect"

/** How long shutdown waits for attempts under way before it interrupts them (their leads stay pending). */
const SHUTDOWN_GRACE = "10 seconds"
const MAX_AT_ONCE = 1_000_000

/**
 * Attempts at the CRM or the managers' chat under way. Each holds one permit; `drain` takes them all, so shutdown
 * waits for the attempts under way (bounded) but not for deliveries asleep in backoff.
 */
export class Attempts extends Effect.Service<Attempts>()("Attempts", {
  effect: Effect.gen(function*() {
    const permits = yield* Effect.makeSemaphore(MAX_AT_ONCE)
    return {
      /** Runs one attempt: shutdown waits for it. */
      one: permits.withPermits(1),
      /**
       * Waits, at most SHUTDOWN_GRACE, until no attempt is under way. Interruptible, so that the timeout can end it
       * even from a finalizer.
       */
      drain: permits.withPermits(MAX_AT_ONCE)(Effect.void).pipe(
        Effect.interruptible,
        Effect.timeout(SHUTDOWN_GRACE),
        Effect.tapError(() =>
          Effect.logWarning("shutdown: attempts still under way were interrupted; their leads stay pending")
        ),
        Effect.ignore
      )
    } as const
  })
}) {}
