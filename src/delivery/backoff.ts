import { Schedule } from "effect"

/** Retry forever: about 1 s, doubling with jitter, capped at 5 minutes. A lead is never given up on. */
export const deliveryBackoff = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("5 minutes"))
)
