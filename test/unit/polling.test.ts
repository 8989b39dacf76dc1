import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Logger, LogLevel, Schedule } from "effect"
import { Bot } from "grammy"
import type { Update } from "grammy/types"

import { PeopleFirst } from "../../src/concurrency/PeopleFirst.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { Inbox } from "../../src/store/Inbox.js"
import { StoresTest } from "../../src/store/Stores.js"
import { Transactor } from "../../src/store/Transactor.js"
import { fromBot, TelegramBot } from "../../src/telegram/TelegramBot.js"
import { Intake } from "../../src/updates/Intake.js"
import { Polling } from "../../src/updates/Polling.js"
import { testConfig } from "../support/testLayers.js"
import { textUpdate } from "../support/updates.js"

/** A Bot API whose first getUpdates returns `batch`; later polls wait briefly and return nothing. */
const telegramWith = (batch: ReadonlyArray<Update>) => {
  let served = false
  const bot = new Bot("1:test", {
    botInfo: { id: 1, is_bot: true, first_name: "Test", username: "test_bot" } as Bot["botInfo"]
  })
  bot.api.config.use(async (_prev, method) => {
    if (method !== "getUpdates") return { ok: true, result: true } as never
    if (served) await new Promise((resolve) => setTimeout(resolve, 20))
    const result = served ? [] : batch
    served = true
    return { ok: true, result } as never
  })
  return Layer.succeed(TelegramBot, fromBot(bot))
}

const alice = { id: 701, first_name: "Alice" }
const bob = { id: 702, first_name: "Bob" }

/** Polling's start and stop lines are noise here; a warning or an error would say something went wrong. */
const quietUnlessWrong = Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))

describe("polling", () => {
  it.live("one chat's updates are handled in order; another chat is not held up by a slow one", () =>
    Effect.gen(function*() {
      const [a1, b1, a2] = [textUpdate(alice, "first"), textUpdate(bob, "hello"), textUpdate(alice, "second")]
      const log: Array<string> = []
      const bobHandled = yield* Deferred.make<void>()
      const allHandled = yield* Deferred.make<void>()
      const text = (u: Update) => `${u.message!.from!.first_name}: ${u.message!.text}`
      const handle = (update: Update) =>
        Effect.gen(function*() {
          log.push(`start ${text(update)}`)
          // Alice's first update finishes only once Bob's has been handled: Bob must not wait behind Alice.
          if (update === a1) yield* Deferred.await(bobHandled)
          log.push(`end ${text(update)}`)
          if (update === b1) yield* Deferred.succeed(bobHandled, undefined)
          if (update === a2) yield* Deferred.succeed(allHandled, undefined)
        })
      const layer = Polling.pipe(
        Layer.provide(Intake.Default),
        Layer.provideMerge(Layer.mergeAll(
          Layer.succeed(UpdateRouter, UpdateRouter.make({ handle })),
          telegramWith([a1, b1, a2]),
          StoresTest,
          PeopleFirst.Default,
          testConfig
        ))
      )
      yield* Effect.gen(function*() {
        yield* Deferred.await(allHandled).pipe(Effect.timeout("5 seconds"))
        // Alice's second update starts only after her first ended; Bob's ran meanwhile.
        expect(log).toEqual(expect.arrayContaining(["end Alice: first", "start Alice: second", "end Bob: hello"]))
        expect(log.indexOf("start Alice: second")).toBeGreaterThan(log.indexOf("end Alice: first"))
        expect(log.indexOf("end Bob: hello")).toBeLessThan(log.indexOf("end Alice: first"))
        // Each update is marked handled once its handler is done (in the background): all three, soon.
        const inbox = yield* Inbox
        const left = yield* inbox.unhandled.pipe(
          Effect.filterOrFail((updates) => updates.length === 0, (updates) => updates.map((u) => u.update_id)),
          Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 200 }),
          Effect.catchAll((ids) => Effect.succeed(ids))
        )
        expect(left).toEqual([])
      }).pipe(Effect.provide(layer), Effect.scoped)
    }).pipe(quietUnlessWrong))

  it.live("a stop marks every update handled by then, even while a mark is still committing", () =>
    Effect.gen(function*() {
      const [first, second] = [textUpdate(alice, "first"), textUpdate(bob, "second")]
      const secondMayEnd = yield* Deferred.make<void>()
      const secondEnded = yield* Deferred.make<void>()
      const handle = (update: Update) =>
        update === second
          ? Deferred.await(secondMayEnd).pipe(Effect.zipRight(Deferred.succeed(secondEnded, undefined)))
          : Effect.void
      // The first mark commits, then holds its chat, as a slow fsync would. (The unit before it is
      // polling's record of the batch.)
      let commits = 0
      const slowFirstCommit = Layer.succeed(
        Transactor,
        Transactor.of({
          atomically: (effect) => Effect.tap(effect, () => (commits++ === 1 ? Effect.sleep("3 seconds") : Effect.void)),
          promptly: (effect) => effect
        })
      )
      const polling = Polling.pipe(Layer.provide(Intake.Default)).pipe(Layer.provide(Layer.mergeAll(
        Layer.succeed(UpdateRouter, UpdateRouter.make({ handle })),
        telegramWith([first, second]),
        slowFirstCommit,
        PeopleFirst.Default,
        testConfig
      )))
      const inbox = yield* Inbox
      const unhandledIds = inbox.unhandled.pipe(Effect.map((updates) => updates.map((u) => u.update_id)))
      yield* Effect.gen(function*() {
        yield* unhandledIds.pipe(
          Effect.filterOrFail((ids) => ids.length === 1, (ids) => `still unhandled: ${ids}`),
          Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 200 })
        )
        yield* Deferred.succeed(secondMayEnd, undefined)
        yield* Deferred.await(secondEnded)
      }).pipe(Effect.provide(polling), Effect.scoped)
      // Stopped while the marker was busy with the first: the stop itself marked the second.
      expect(yield* unhandledIds).toEqual([])
    }).pipe(Effect.provide(StoresTest), quietUnlessWrong))
})
