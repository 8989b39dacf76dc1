import { Effect, FiberSet, Schedule } from "effect"
import type { Update } from "grammy/types"

import { makeLeasedWork } from "../concurrency/LeasedWork.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { updateArrivedAt } from "../metrics/metrics.js"
import { UpdateRouter } from "../router/UpdateRouter.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"
import { chatKey } from "../telegram/chatKey.js"

/**
 * Chats being handled at once; the rest wait for room. Many more share the CPU among so many that each finishes
 * late (and hold more memory); many fewer are too few to share a commit (BENCHMARKS.md).
 */
const MAX_IN_FLIGHT = 25
/** A chat's lease outlives its replica at most this long (or DELIVERY_LEASE_SECONDS, if shorter). */
const LONGEST_CHAT_LEASE_MS = 10_000
/** On a shared store: how often a replica looks for chats whose updates nobody handles (their replica died). */
const SWEEP_EVERY = "1 second"
const SWEEP_BATCH = 100
/** A chat whose handling paused (the store failed) is tried again after this long. */
const RETRY_PAUSED = "1 second"

/** Updates received together (a poll's batch, a webhook request), and when. */
interface Arrivals {
  readonly updates: ReadonlyMap<number, Update>
  readonly at: number
}
const nothingInHand: Arrivals = { updates: new Map(), at: 0 }

/**
 * Handles recorded updates, whichever way they came (polling or webhook) and whichever replica recorded them:
 * one chat's in update_id order and one at a time (the process holding the chat's lease handles all it has), chats
 * in parallel, at most MAX_IN_FLIGHT at once, each marked handled before the next. What a previous run left is
 * handled at start; on a shared store, a chat whose replica died is taken over once its lease lapses.
 */
export class Intake extends Effect.Service<Intake>()("Intake", {
  scoped: Effect.gen(function*() {
    const router = yield* UpdateRouter
    const inbox = yield* Inbox
    const peopleFirst = yield* PeopleFirst
    const { atomically } = yield* Transactor
    const leaseMillis = Math.min(LONGEST_CHAT_LEASE_MS, (yield* AppConfig).deliveryLeaseSeconds * 1000)
    const chats = yield* makeLeasedWork("chat", leaseMillis)
    const handlers = yield* FiberSet.make()
    // On shutdown: the chats under way are finished (their runs are uninterruptible) and their leases let go;
    // updates recorded but not started yet stay in the inbox for another replica or the next start.
    yield* Effect.addFinalizer(() => FiberSet.awaitEmpty(handlers))
    // Chats waiting to be tried again: interrupted at shutdown first (finalizers run last to first).
    const paused = yield* FiberSet.make()
    const inFlight = yield* Effect.makeSemaphore(MAX_IN_FLIGHT)
    const claimChats = (ids: ReadonlyArray<number>) =>
      chats.claim(ids.map(String)).pipe(Effect.map((keys) => keys.map(Number)))

    /**
     * Handles the chat's updates still to handle, in order. The place in flight (taken by the caller) is given back
     * once they are handled, before the last mark. Handlers never fail (UpdateRouter.handle logs); an update
     * handled twice (its process died before the mark) is harmless: a repeat tap makes no second lead and a
     * follow-up is keyed by its message. True when the store failed meanwhile (the rest waits in the inbox).
     */
    const handleChat = (chat: number, arrivals: Arrivals, givePlaceBack: Effect.Effect<void>) =>
      Effect.gen(function*() {
        const todo = yield* stillToHandle(chat, arrivals)
        let last: number | undefined
        for (const { receivedAt, update } of todo) {
          if (last !== undefined) yield* atomically(inbox.markHandled([last]))
          const arrivedAt = arrivals.updates.has(update.update_id) ? arrivals.at : receivedAt
          yield* Effect.locally(router.handle(update), updateArrivedAt, arrivedAt)
          last = update.update_id
          lastHandled.set(chat, last)
        }
        yield* givePlaceBack
        if (last !== undefined) yield* atomically(inbox.markHandled([last]))
        stalled.delete(chat)
        return false
      }).pipe(
        Effect.catchAll((e) =>
          Effect.logWarning(`handling chat ${chat} paused: ${e.message}`).pipe(
            Effect.zipRight(Effect.sync(() => stalled.add(chat))),
            Effect.as(true)
          )
        )
      )

    // On an exclusive store, the updates in hand are all there is to handle (nothing else records them): the
    // store is read only for what a previous run left, or while a chat's handling has stalled (its order then
    // comes from the store). Runs of a chat take turns, so one with an update at most the last handled came late.
    const lastHandled = new Map<number, number>()
    const stalled = new Set<number>()
    const stillToHandle = (chat: number, arrivals: Arrivals) => {
      if (!chats.exclusive || arrivals.updates.size === 0 || stalled.has(chat)) {
        return inbox.unhandledOf(chat, arrivals.updates)
      }
      const after = lastHandled.get(chat) ?? -Infinity
      return Effect.succeed(
        [...arrivals.updates.values()].filter((u) => u.update_id > after).sort((a, b) => a.update_id - b.update_id)
          .map((update) => ({ update, receivedAt: arrivals.at }))
      )
    }

    /** A claimed chat: waits for room, then handles it (after the chat's earlier runs) in the background. */
    const startChat = (chat: number, arrivals: Arrivals): Effect.Effect<void> =>
      Effect.gen(function*() {
        yield* inFlight.take(1)
        let holdsPlace = true
        const placeBack = Effect.suspend(() => {
          if (!holdsPlace) return Effect.void
          holdsPlace = false
          return inFlight.release(1).pipe(Effect.zipRight(peopleFirst.answered))
        })
        yield* FiberSet.run(
          handlers,
          chats.run(String(chat), handleChat(chat, arrivals, placeBack).pipe(Effect.ensuring(placeBack))).pipe(
            Effect.tap(() => Effect.sync(() => chats.holds(String(chat)) || lastHandled.delete(chat))),
            Effect.flatMap((paused) => (paused ? retryLater(chat) : chats.exclusive ? Effect.void : lookAgain(chat))),
            Effect.uninterruptible
          )
        )
      })

    /** The chat's lease is let go: updates another replica recorded meanwhile are handled here, if nobody took them. */
    const lookAgain = (chat: number): Effect.Effect<void> =>
      inbox.unhandledOf(chat, new Map()).pipe(
        Effect.flatMap((left) => (left.length === 0 ? Effect.succeed([]) : claimChats([chat]))),
        Effect.flatMap((claimed) => claimed.length === 0 ? Effect.void : restart(chat)),
        Effect.catchAll((e) => Effect.logWarning(`looking at chat ${chat} again: ${e.message}`))
      )
    const restart = (chat: number) => peopleFirst.arrived(1).pipe(Effect.zipRight(startChat(chat, nothingInHand)))
    /** The store failed: the chat is tried again in a while, from what the inbox holds. */
    const retryLater = (chat: number): Effect.Effect<void> =>
      FiberSet.run(
        paused,
        Effect.sleep(RETRY_PAUSED).pipe(
          Effect.zipRight(claimChats([chat])),
          Effect.flatMap((claimed) => claimed.length === 0 ? Effect.void : restart(chat)),
          Effect.catchAll(() => retryLater(chat)),
          Effect.interruptible
        )
      ).pipe(Effect.asVoid)

    /**
     * Records updates and claims their chats, as one unit: what is answered "ok" is durable. Returns what this
     * process is to handle: the new updates of the chats it claimed (another replica's lease handles the rest). The
     * chats are held here once the unit has committed (a unit may run twice, or roll back).
     */
    const record = (updates: ReadonlyArray<Update>) =>
      atomically(
        inbox.record(updates).pipe(
          Effect.flatMap((fresh) =>
            chats.take(fresh.map((u) => String(chatKey(u)))).pipe(Effect.map((claimed) => ({ claimed, fresh })))
          )
        )
      ).pipe(
        Effect.tap(({ claimed }) => chats.hold(claimed)),
        Effect.map(({ claimed, fresh }) => {
          const ours = new Set(claimed)
          return fresh.filter((u) => ours.has(String(chatKey(u))))
        })
      )

    /** Starts handling the chats of recorded updates and returns; waits first while too many are in flight. */
    const dispatch = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      Effect.gen(function*() {
        const byChat = new Map<number, Map<number, Update>>()
        for (const update of updates) {
          const chat = chatKey(update)
          const ofChat = byChat.get(chat) ?? new Map<number, Update>()
          byChat.set(chat, ofChat.set(update.update_id, update))
        }
        // Someone waits in each of them from now on, even while the batch waits for room.
        yield* peopleFirst.arrived(byChat.size)
        for (const [chat, ofChat] of byChat) yield* startChat(chat, { updates: ofChat, at: arrivedAt })
      })

    // Updates submitted without waiting (a webhook request answers at once) are dispatched in the order they came.
    const submitted = yield* Effect.makeSemaphore(1)
    /** Starts handling recorded updates in the background, in the order submitted; returns at once. */
    const submit = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      FiberSet.run(handlers, submitted.withPermits(1)(dispatch(updates, arrivedAt))).pipe(Effect.asVoid)

    /** Chats with updates nobody handles (what a previous run left; on a shared store, a dead replica's too). */
    const takeOver = Effect.gen(function*() {
      const waiting = (yield* inbox.chatsWithWork(SWEEP_BATCH)).filter((chat) => !chats.holds(String(chat)))
      if (waiting.length === 0) return
      const claimed = yield* claimChats(waiting)
      if (claimed.length === 0) return
      yield* Effect.logInfo(`handling the updates of ${claimed.length} chats left unhandled (a stop or a crash)`)
      yield* peopleFirst.arrived(claimed.length)
      for (const chat of claimed) yield* startChat(chat, nothingInHand)
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for updates left unhandled: ${e.message}`)))
    yield* takeOver
    // Only a shared store can have chats nobody here handles while it runs.
    if (!chats.exclusive) {
      yield* takeOver.pipe(Effect.repeat(Schedule.spaced(SWEEP_EVERY)), Effect.interruptible, Effect.forkScoped)
    }

    return { record, dispatch, submit } as const
  }),
  dependencies: [UpdateRouter.Default, PeopleFirst.Default]
}) {}
