import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

import { makeDueWorker } from "../../src/concurrency/DueWorker.js"
import { PeopleFirst } from "../../src/concurrency/PeopleFirst.js"
import { ExclusiveLeases, Leases } from "../../src/store/Leases.js"

/** The exclusive store's leases, telling which keys each claim asked for. */
const countedLeases = (claims: Array<ReadonlyArray<string>>) =>
  Layer.effect(
    Leases,
    Effect.map(Leases, (leases) =>
      Leases.of({
        ...leases,
        claim: (kind, keys, leaseMillis) =>
          Effect.sync(() => keys.length > 0 && claims.push(keys)).pipe(
            Effect.zipRight(leases.claim(kind, keys, leaseMillis))
          )
      }))
  ).pipe(Layer.provide(ExclusiveLeases))

describe("the due worker", () => {
  it.scoped("takes the work scheduled while people wait in one claim, once they are answered, each key once", () => {
    const claims: Array<ReadonlyArray<string>> = []
    const processed: Array<string> = []
    return Effect.gen(function*() {
      const people = yield* PeopleFirst
      const worker = yield* makeDueWorker({
        kind: "lead",
        leaseMillis: 1000,
        due: () => Effect.succeed([]),
        process: (key) => Effect.sync(() => void processed.push(key)),
        beforeStop: Effect.void
      })
      yield* people.arrived(1)
      yield* Effect.forEach(["a", "b", "a"], worker.schedule, { discard: true })
      yield* Effect.yieldNow().pipe(Effect.repeatN(10))
      expect(processed).toEqual([])
      yield* people.answered
      yield* worker.awaitIdle
      expect(claims).toEqual([["a", "b"]])
      expect([...processed].sort()).toEqual(["a", "b"])
      // Nobody waiting: taken at once, in a claim of its own.
      yield* worker.schedule("c")
      yield* worker.awaitIdle
      expect(claims).toEqual([["a", "b"], ["c"]])
      expect(processed).toContain("c")
    }).pipe(Effect.provide(Layer.merge(PeopleFirst.Default, countedLeases(claims))))
  })
})
