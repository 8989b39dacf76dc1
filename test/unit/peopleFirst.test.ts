import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"

import { MAX_BACKGROUND_WAIT, PeopleFirst } from "../../src/concurrency/PeopleFirst.js"

/** Whether the fiber has finished, after giving it a moment. */
const finishedSoon = (fiber: Fiber.RuntimeFiber<void>) =>
  Effect.sleep("20 millis").pipe(Effect.zipRight(Fiber.poll(fiber)), Effect.map(Option.isSome))
/** Long before MAX_BACKGROUND_WAIT: finishing within it means the answer released it, not the time limit. */
const releasedByAnswer = (fiber: Fiber.RuntimeFiber<void>) => Fiber.join(fiber).pipe(Effect.timeout("300 millis"))

describe("people first", () => {
  it.live("background work waits while people wait for an answer, and goes once the last is answered", () =>
    Effect.gen(function*() {
      const people = yield* PeopleFirst
      yield* people.arrived(2)
      const background = yield* Effect.fork(people.yieldToPeople)
      expect(yield* finishedSoon(background)).toBe(false)
      yield* people.answered
      expect(yield* finishedSoon(background)).toBe(false)
      yield* people.answered
      yield* releasedByAnswer(background)
      // Nobody waiting: it goes at once.
      yield* releasedByAnswer(yield* Effect.fork(people.yieldToPeople))
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
