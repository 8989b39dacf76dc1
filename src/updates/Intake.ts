import { Chunk, Clock, Effect, FiberSet, Queue } from "effect"
import type { Update } from "grammy/types"

import { makeKeyedLock } from "../concurrency/KeyedLock.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { Funnel } from "../funnel/Funnel.js"
import { updateArrivedAt } from "../metrics/metrics.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"

/** Updates of one chat stay in order; different chats run in parallel. */
export const chatKey = (update: Update): number =>
  update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ??
    update.edited_message?.chat.id ?? -update.update_id

/**
 * Updates being handled at once; the rest of a batch waits for room. Many more share the CPU among so many that
 * each finishes late (and hold more memory); many fewer are too few to share a commit (BENCHMARKS.md).
 */
const MAX_IN_FLIGHT = 25
const MAX_MARKS_PER_COMMIT = 500

/**
 * Handles recorded updates, whichever way they came (polling or webhook): one chat's in order, chats in parallel,
 * at most MAX_IN_FLIGHT at once, each marked handled afterwards. What a previous run recorded and did not handle
 * is handled at start. An update already under way is not started twice.
 */
export class Intake extends Effect.Service<Intake>()("Intake", {
  scoped: Effect.gen(function*() {
    const funnel = yield* Funnel
    const inbox = yield* Inbox
    const peopleFirst = yield* PeopleFirst
    const { atomically } = yield* Transactor
    const withChatLock = yield* makeKeyedLock<number>()
    const handlers = yield* FiberSet.make()
    const inFlight = yield* Effect.makeSemaphore(MAX_IN_FLIGHT)
    const underWay = new Set<number>()

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
    const handleOne = (update: Update, arrivedAt: number) =>
      withChatLock(chatKey(update), Effect.locally(funnel.handle(update), updateArrivedAt, arrivedAt)).pipe(
        Effect.ensuring(peopleFirst.answered),
        Effect.zipRight(Queue.offer(handled, update.update_id)),
        Effect.ensuring(Effect.sync(() => underWay.delete(update.update_id))),
        Effect.ensuring(inFlight.release(1)),
        Effect.uninterruptible
      )

    /** Starts handling the updates (in order, per chat) and returns; waits first while too many are in flight. */
    const dispatch = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      Effect.gen(function*() {
        const fresh = updates.filter((u) => !underWay.has(u.update_id))
        for (const update of fresh) underWay.add(update.update_id)
        // Someone waits for each of them from now on, even while the batch waits for room.
        yield* peopleFirst.arrived(fresh.length)
        for (const update of fresh) {
          yield* inFlight.take(1)
          yield* FiberSet.run(handlers, handleOne(update, arrivedAt))
        }
      })

    // Updates submitted without waiting (a webhook request answers at once) are dispatched in the order they came.
    const submitted = yield* Queue.unbounded<{ readonly updates: ReadonlyArray<Update>; readonly arrivedAt: number }>()
    yield* Queue.take(submitted).pipe(
      Effect.flatMap(({ arrivedAt, updates }) => dispatch(updates, arrivedAt)),
      Effect.forever,
      Effect.forkScoped
    )
    /** Queues recorded updates for handling and returns at once. */
    const submit = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      Queue.offer(submitted, { updates, arrivedAt }).pipe(Effect.asVoid)

    const leftOver = yield* inbox.unhandled
    if (leftOver.length > 0) {
      yield* Effect.logInfo(`handling ${leftOver.length} updates recorded before the last stop`)
      yield* dispatch(leftOver, yield* Clock.currentTimeMillis)
    }

    // On shutdown: the updates under way are finished (they are uninterruptible) and marked. Updates recorded but
    // not started yet stay in the inbox for the next start.
    yield* Effect.addFinalizer(() =>
      FiberSet.awaitEmpty(handlers).pipe(
        Effect.zipRight(Queue.takeAll(handled)),
        Effect.flatMap((ids) => markHandled(Chunk.toReadonlyArray(ids)))
      )
    )

    return { dispatch, submit } as const
  }),
  dependencies: [Funnel.Default, PeopleFirst.Default]
}) {}
