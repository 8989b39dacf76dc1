import { Duration, Effect, Random, Schedule } from "effect"

const FIRST_DELAY = Duration.seconds(1)
const LONGEST_DELAY = Duration.minutes(5)

/** Retry forever: about 1 s, doubling with jitter, capped at 5 minutes. A lead is never given up on. */
export const deliveryBackoff = Schedule.exponential(FIRST_DELAY).pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced(LONGEST_DELAY))
)

/**
 * The same delays for a retry the store keeps (any replica may make it): after `retries` failures in a row,
 * 2^retries seconds ±20 %, at most 5 minutes; whole milliseconds (the store's times are integers: PostgreSQL's
 * BIGINT refuses a fraction).
 */
export const retryDelayMillis = (retries: number) =>
  Random.nextRange(0.8, 1.2).pipe(
    Effect.map((jitter) =>
      Math.round(
        Math.min(Duration.toMillis(FIRST_DELAY) * 2 ** Math.min(retries, 20) * jitter, Duration.toMillis(LONGEST_DELAY))
      )
    )
  )
