import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Logger, LogLevel } from "effect"
import type { Update } from "grammy/types"

import { PeopleFirst } from "../../src/concurrency/PeopleFirst.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { StoresTest } from "../../src/store/Stores.js"
import { Intake } from "../../src/updates/Intake.js"
import { testConfig } from "../support/testLayers.js"
import { textUpdate } from "../support/updates.js"

const alice = { id: 601, first_name: "Alice" }

describe("the Intake (what webhook requests hand their recorded updates to)", () => {
  it.live("submitted updates of one chat are handled in the order they came, each once, even if submitted twice", () =>
    Effect.gen(function*() {
      const [first, second] = [textUpdate(alice, "first"), textUpdate(alice, "second")]
      const firstMayEnd = yield* Deferred.make<void>()
      const bothHandled = yield* Deferred.make<void>()
      const log: Array<string> = []
      const handle = (update: Update) =>
        Effect.gen(function*() {
          log.push(`start ${update.message!.text}`)
          if (update === first) yield* Deferred.await(firstMayEnd)
          log.push(`end ${update.message!.text}`)
          if (update === second) yield* Deferred.succeed(bothHandled, undefined)
        })
      const intake = Intake.Default.pipe(Layer.provide(Layer.mergeAll(
        Layer.succeed(UpdateRouter, UpdateRouter.make({ handle })),
        StoresTest,
        PeopleFirst.Default,
        testConfig
      )))
      yield* Effect.gen(function*() {
        const { record, submit } = yield* Intake
        // Each returns at once (a webhook request answers 200 without waiting for the handling).
        yield* submit(yield* record([first]), 1)
        yield* submit(yield* record([second]), 2)
        // Telegram again, while the first is still under way: a repeat is recorded as nothing, so nothing runs again.
        const again = yield* record([first])
        expect(again).toEqual([])
        yield* submit(again, 3)
        // Nothing can show that the second did not start but time: many scheduler turns, while the first is held.
        yield* Effect.sleep("50 millis")
        expect(log).toEqual(["start first"])
        yield* Deferred.succeed(firstMayEnd, undefined)
        yield* Deferred.await(bothHandled).pipe(Effect.timeout("5 seconds"))
        expect(log).toEqual(["start first", "end first", "start second", "end second"])
      }).pipe(Effect.provide(intake), Effect.scoped)
    }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))))
})
