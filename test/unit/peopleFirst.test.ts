import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"

import { MAX_BACKGROUND_WAIT, PeopleFirst } from "../../src/concurrency/PeopleFirst.js"

/**
 * Whether the fiber has finished once it has run as far as it can: the test clock stands still, so only the latch
 * can release it, and a few scheduler turns let it get there.
 */
const finished = (fiber: Fiber.RuntimeFiber<void>) =>
  Effect.yieldNow().pipe(Effect.repeatN(10), Effect.zipRight(Fiber.poll(fiber)), Effect.map(Option.isSome))

describe("people first", () => {
  it.effect("background work waits while people wait for an answer, and goes once the last is answered", () =>
    Effect.gen(function*() {
      const people = yield* PeopleFirst
      yield* people.arrived(2)
      const background = yield* Effect.fork(people.yieldToPeople)
      expect(yield* finished(background)).toBe(false)
      yield* people.answered
      expect(yield* finished(background)).toBe(false)
      yield* people.answered
      expect(yield* finished(background)).toBe(true)
      // Nobody waiting: it goes at once.
      expect(yield* finished(yield* Effect.fork(people.yieldToPeople))).toBe(true)
    }).pipe(Effect.provide(PeopleFirst.Default)))

  it.effect("it never waits longer than MAX_BACKGROUND_WAIT (a bot that is never idle still delivers)", () =>
    Effect.gen(function*() {
      const people = yield* PeopleFirst
      yield* people.arrived(1)
      const background = yield* Effect.fork(people.yieldToPeople)
      yield* TestClock.adjust(Duration.subtract(MAX_BACKGROUND_WAIT, Duration.millis(1)))
      expect(Option.isSome(yield* Fiber.poll(background))).toBe(false)
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.join(background)
    }).pipe(Effect.provide(PeopleFirst.Default)))
})
