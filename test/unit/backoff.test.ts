import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Ref, TestClock } from "effect"

import { deliveryBackoff, retryDelayMillis } from "../../src/concurrency/backoff.js"

describe("the delivery backoff", () => {
  it.effect("about 1 s, doubling with ±20% jitter, capped at 5 minutes, and it never gives up", () =>
    Effect.gen(function*() {
      const times = yield* Ref.make<Array<number>>([])
      const alwaysFails = Clock.currentTimeMillis.pipe(
        Effect.tap((now) => Ref.update(times, (t) => [...t, now])),
        Effect.zipRight(Effect.fail("admin chat down"))
      )
      const fiber = yield* Effect.fork(Effect.retry(alwaysFails, deliveryBackoff))
      yield* TestClock.adjust("2 hours")
      const at = yield* Ref.get(times)
      // Jittered delays are fractional milliseconds: compare to the millisecond.
      const gaps = at.slice(1).map((t, i) => Math.round(t - at[i]!))
      for (const [i, gap] of gaps.slice(0, 8).entries()) {
        expect(gap).toBeGreaterThanOrEqual(Math.floor(0.8 * 1000 * 2 ** i))
        expect(gap).toBeLessThanOrEqual(Math.ceil(1.2 * 1000 * 2 ** i))
      }
      expect(gaps.every((gap) => gap <= 5 * 60_000)).toBe(true)
      expect(gaps.slice(-5)).toEqual([300_000, 300_000, 300_000, 300_000, 300_000])
      expect(fiber.unsafePoll()).toBeNull() // still trying after two hours
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("the store's retry delays: the same steps, in whole milliseconds (BIGINT takes no fraction)", () =>
    Effect.gen(function*() {
      for (let retries = 0; retries <= 25; retries++) {
        for (let draw = 0; draw < 20; draw++) {
          const delay = yield* retryDelayMillis(retries)
          expect(Number.isInteger(delay)).toBe(true)
          expect(delay).toBeGreaterThanOrEqual(Math.min(Math.floor(0.8 * 1000 * 2 ** retries), 300_000))
          expect(delay).toBeLessThanOrEqual(Math.min(Math.ceil(1.2 * 1000 * 2 ** retries), 300_000))
        }
      }
    }))
})
