import { Chunk, Effect, Fiber, FiberSet, Layer, Option, Queue, Ref, Schedule } from "effect"
import type { Update } from "grammy/types"

import { makeKeyedLock } from "../concurrency/KeyedLock.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { Funnel } from "../funnel/Funnel.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"
import { TelegramBot } from "../telegram/TelegramBot.js"

/** Updates of one chat stay in order; different chats run in parallel. */
export const chatKey = (update: Update): number =>
  update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ??
    update.edited_message?.chat.id ?? -update.update_id

const LONG_POLL_SECONDS = 25
/**
 * Updates being handled at once; the rest of a batch waits for room. Many more share the CPU among so many that
 * each finishes late (and hold more memory); many fewer are too few to share a commit (BENCHMARKS.md).
 */
const MAX_IN_FLIGHT = 25
const MAX_MARKS_PER_COMMIT = 500
const pollRetry = Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))

/**
 * Our own getUpdates loop (not `bot.start()` or the runner): each batch is recorded in the Inbox before the
 * offset moves past it, then handled and marked. A kill between the two loses nothing: recorded-but-unhandled
 * updates are handled at the next start, and an update seen twice is handled once.
 * Handling does not hold up the next batch: each chat is a queue of its own (in order), chats run in parallel.
 */
export const Polling = Layer.scopedDiscard(
  Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const funnel = yield* Funnel
    const inbox = yield* Inbox
    const peopleFirst = yield* PeopleFirst
    const offset = yield* Ref.make(Option.match(yield* inbox.lastRecorded, { onNone: () => 0, onSome: (id) => id + 1 }))

    const getUpdates = (timeout: number, limit?: number) =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) =>
          telegram.call("getUpdates", (api, signal) =>
            api.getUpdates({ offset: from, timeout, limit, allowed_updates: ["message", "callback_query"] }, signal))
        )
      )

    const { atomically } = yield* Transactor
    const withChatLock = yield* makeKeyedLock<number>()
    const handlers = yield* FiberSet.make()
    const inFlight = yield* Effect.makeSemaphore(MAX_IN_FLIGHT)

    // Handled updates are marked in batches, in the background, once nobody waits for an answer (as deliveries
    // do): a mark is bookkeeping (a crash before it only replays the update, which the handlers make harmless),
    // so no handler holds its place in flight, nor a tap its confirmation, while marks commit.
    const handled = yield* Queue.unbounded<number>()
    const markHandled = (ids: ReadonlyArray<number>) =>
      ids.length === 0 ? Effect.void : atomically(inbox.markHandled(ids)).pipe(
        Effect.catchAll((e) => Effect.logError(`marking updates ${ids.join(", ")} handled: ${e.message}`))
      )
    yield* Queue.take(handled).pipe(
      Effect.zipLeft(peopleFirst.yieldToPeople),
      Effect.flatMap((id) => Queue.takeUpTo(handled, MAX_MARKS_PER_COMMIT - 1).pipe(Effect.map(Chunk.prepend(id)))),
      Effect.flatMap((ids) => markHandled(Chunk.toReadonlyArray(ids))),
      Effect.forever,
      Effect.interruptible,
      Effect.forkScoped
    )

    // Handlers never fail (Funnel.handle logs); a replayed update is harmless: repeat taps make no second lead
    // and a follow-up is keyed by its message.
    const handleOne = (update: Update) =>
      withChatLock(chatKey(update), funnel.handle(update)).pipe(
        Effect.ensuring(peopleFirst.answered),
        Effect.zipRight(Queue.offer(handled, update.update_id)),
        Effect.ensuring(inFlight.release(1)),
        Effect.uninterruptible
      )

    /** Starts handling a batch (in order, per chat) and returns; waits first if too many are still in flight. */
    const dispatch = (updates: ReadonlyArray<Update>) =>
      Effect.gen(function*() {
        // Someone waits for each of them from now on, even while the batch waits for room.
        yield* peopleFirst.arrived(updates.length)
        for (const update of updates) {
          yield* inFlight.take(1)
          yield* FiberSet.run(handlers, handleOne(update))
        }
      })

    /** One long poll; the batch is recorded before the offset moves past it. */
    const receive = getUpdates(LONG_POLL_SECONDS).pipe(
      Effect.flatMap((updates) =>
        updates.length === 0 ? Effect.succeed([]) : inbox.record(updates).pipe(
          Effect.tap(() => Ref.set(offset, updates[updates.length - 1]!.update_id + 1)),
          Effect.uninterruptible
        )
      ),
      Effect.tapError((e) =>
        e._tag === "TelegramError" && e.code === 409
          ? Effect.logError(
            `another bot instance is receiving updates with this BOT_TOKEN (Telegram: ${e.code} ${e.description}); ` +
              "only one may poll: stop the other one. Retrying"
          )
          : Effect.logWarning(`receiving updates failed, retrying: ${e.message}`)
      ),
      Effect.retry(pollRetry)
    )

    const loop = receive.pipe(Effect.flatMap(dispatch), Effect.forever)

    const leftOver = yield* inbox.unhandled
    if (leftOver.length > 0) {
      yield* Effect.logInfo(`handling ${leftOver.length} updates recorded before the last stop`)
      yield* dispatch(leftOver)
    }

    yield* telegram.call("deleteWebhook", (api, signal) => api.deleteWebhook({ drop_pending_updates: false }, signal))
    const polling = yield* Effect.forkScoped(loop)
    // On shutdown: no new batch; the updates under way are finished (they are uninterruptible) and marked; then
    // Telegram is told which updates are done, so a restart does not see them again.
    yield* Effect.addFinalizer(() =>
      Fiber.interrupt(polling).pipe(
        Effect.zipRight(FiberSet.awaitEmpty(handlers)),
        Effect.zipRight(Queue.takeAll(handled)),
        Effect.flatMap((ids) => markHandled(Chunk.toReadonlyArray(ids))),
        Effect.zipRight(Ref.get(offset)),
        Effect.flatMap((
          from
        ) => (from === 0 ? Effect.void : getUpdates(0, 1).pipe(Effect.interruptible, Effect.timeout("3 seconds")))),
        Effect.ignore,
        Effect.zipRight(Effect.logInfo("polling stopped"))
      )
    )
    yield* Effect.logInfo("polling for updates")
  })
)

/** Polling with the funnel it feeds (and the people-first signal it shares with delivery). */
export const PollingLive = Polling.pipe(Layer.provide(Funnel.Default), Layer.provide(PeopleFirst.Default))
