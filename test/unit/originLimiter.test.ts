import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, TestClock } from "effect"

import { makeOriginLimiters } from "../../src/crm/http/OriginLimiter.js"

/** Starts `n` requests at once through `run`, each recording when (and in which order) it started. */
const burst = (n: number, run: <A>(effect: Effect.Effect<A>) => Effect.Effect<A>) =>
  Effect.gen(function*() {
    const starts: Array<readonly [number, number]> = []
    const fiber = yield* Effect.fork(
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) => run(Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => starts.push([i, at])))),
        { concurrency: "unbounded", discard: true }
      )
    )
    return { starts, fiber }
  })

describe("the limiter of a CRM's origin (TestClock)", () => {
  it.effect("at most 3 requests start within any second, in the order they came; the rest wait their turn", () =>
    Effect.gen(function*() {
      const limiters = yield* makeOriginLimiters({ requests: 3, perMillis: 1_000 })
      const { fiber, starts } = yield* burst(8, limiters.of("https://a.amocrm.ru").run)
      yield* TestClock.adjust("0 millis")
      expect(starts).toEqual([[0, 0], [1, 0], [2, 0]])
      yield* TestClock.adjust("999 millis")
      expect(starts).toHaveLength(3)
      yield* TestClock.adjust("1 millis")
      expect(starts.slice(3)).toEqual([[3, 1000], [4, 1000], [5, 1000]])
      yield* TestClock.adjust("1 seconds")
      yield* Fiber.join(fiber)
      expect(starts.slice(6)).toEqual([[6, 2000], [7, 2000]])
    }))

  it.effect("a pause (a 429) holds every request there until it ends, though the window has room", () =>
    Effect.gen(function*() {
      const limiter = (yield* makeOriginLimiters({ requests: 7, perMillis: 1_000 })).of("https://a.amocrm.ru")
      yield* limiter.run(Effect.void)
      yield* limiter.pause(1_500)
      const { fiber, starts } = yield* burst(2, limiter.run)
      yield* TestClock.adjust("1499 millis")
      expect(starts).toEqual([])
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(starts).toEqual([[0, 1500], [1, 1500]])
    }))

  it.effect("origins have budgets of their own; one origin's limiter is the same for every brand on it", () =>
    Effect.gen(function*() {
      const limiters = yield* makeOriginLimiters({ requests: 1, perMillis: 1_000 })
      expect(limiters.of("https://a.amocrm.ru")).toBe(limiters.of("https://a.amocrm.ru"))
      yield* limiters.of("https://a.amocrm.ru").run(Effect.void)
      const other = yield* burst(1, limiters.of("https://b.amocrm.ru").run)
      const same = yield* burst(1, limiters.of("https://a.amocrm.ru").run)
      yield* TestClock.adjust("0 millis")
      expect(other.starts).toEqual([[0, 0]])
      expect(same.starts).toEqual([])
      yield* TestClock.adjust("1 seconds")
      yield* Fiber.join(same.fiber)
      expect(same.starts).toEqual([[0, 1000]])
    }))
})
