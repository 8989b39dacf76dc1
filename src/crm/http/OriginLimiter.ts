import { Clock, Duration, Effect } from "effect"

/** At most `requests` requests start within any `perMillis` (a sliding window, not a bucket that allows bursts). */
export interface RequestRate {
  readonly requests: number
  readonly perMillis: number
}

/** One origin's budget: every request to it goes through `run`; a refusal for too many requests calls `pause`. */
export interface Limiter {
  /** Runs `effect` once its turn came: in the order asked, within the rate, after any pause. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** No request starts there for `millis` from now (a 429 or QUERY_LIMIT_EXCEEDED said too many). */
  readonly pause: (millis: number) => Effect.Effect<void>
}

/**
 * One limiter per origin (an amoCRM account, a Bitrix24 portal), made when first asked for: every brand whose CRM is
 * there shares it, so brands on one account share its budget. Only the start of a request is limited, and only
 * within this process (replicas each have their own: their sum can exceed it, which the CRM's 429 then paces).
 */
export const makeOriginLimiters = (rate: RequestRate) =>
  Effect.sync(() => {
    const limiters = new Map<string, Limiter>()
    const make = (): Limiter => {
      // One turn at a time (a semaphore of one is fair: first come, first served); the turn sleeps until the window
      // has room, so those behind it wait in order instead of each sleeping and racing.
      const turn = Effect.unsafeMakeSemaphore(1)
      const starts: Array<number> = []
      let pausedUntil = 0
      const waitForRoom = Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          while (starts.length > 0 && starts[0]! <= now - rate.perMillis) starts.shift()
          const full = starts.length >= rate.requests ? starts[0]! + rate.perMillis - now : 0
          const wait = Math.max(pausedUntil - now, full)
          if (wait <= 0) {
            starts.push(now)
            return
          }
          yield* Effect.sleep(Duration.millis(wait))
        }
      })
      return {
        run: (effect) => Effect.zipRight(turn.withPermits(1)(waitForRoom), effect),
        pause: (millis) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            pausedUntil = Math.max(pausedUntil, now + millis)
          })
      }
    }
    return {
      /** The limiter of a URL's origin (`https://agency.amocrm.ru`). */
      of: (origin: string): Limiter => {
        let limiter = limiters.get(origin)
        if (limiter === undefined) {
          limiter = make()
          limiters.set(origin, limiter)
        }
        return limiter
      }
    }
  })

export type OriginLimiters = Effect.Effect.Success<ReturnType<typeof makeOriginLimiters>>

/** No budget: a webhook takes what it is sent (as before native CRMs). */
export const unlimited: Limiter = { run: (effect) => effect, pause: () => Effect.void }
