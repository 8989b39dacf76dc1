import { Duration, Effect } from "effect"

/**
 * Background work waits at most this long for people to be answered: longer than a burst takes to answer, and
 * a bot that is never idle still delivers every lead.
 */
export const MAX_BACKGROUND_WAIT = Duration.seconds(1)

/**
 * People first: while someone is waiting for the bot's answer (an update being handled), background work (the
 * CRM delivery of a lead already recorded; marking updates handled) holds back, so the CPU goes to the answers.
 * They compete for one core: in a burst of taps, deliveries started in between pushed the last confirmations
 * back (BENCHMARKS.md).
 */
export class PeopleFirst extends Effect.Service<PeopleFirst>()("PeopleFirst", {
  effect: Effect.gen(function*() {
    const nobodyWaiting = yield* Effect.makeLatch(true)
    let waiting = 0

    /** `count` more people wait for an answer: counted from the moment their updates arrive. */
    const arrived = (count: number) =>
      Effect.sync(() => {
        if (count > 0 && waiting === 0) nobodyWaiting.unsafeClose()
        waiting += count
      })

    /** One of them has been answered (or their update is done, whatever happened). */
    const answered = Effect.sync(() => {
      if (--waiting <= 0) {
        waiting = 0
        nobodyWaiting.unsafeOpen()
      }
    })

    /** Returns once nobody is waiting for an answer, or after MAX_BACKGROUND_WAIT. */
    const yieldToPeople = Effect.suspend(() =>
      // Nobody waiting (most of the time): no timer and no race to set up.
      waiting === 0 ? Effect.void : nobodyWaiting.await.pipe(Effect.timeoutOption(MAX_BACKGROUND_WAIT), Effect.asVoid)
    )

    return { arrived, answered, yieldToPeople } as const
  })
}) {}
