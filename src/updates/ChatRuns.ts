import { Effect, FiberSet } from "effect"
import type { Update } from "grammy/types"

import { makeLeasedWork } from "../concurrency/LeasedWork.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { updateArrivedAt } from "../metrics/metrics.js"
import { UpdateRouter } from "../router/UpdateRouter.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"

/**
 * Chats being handled at once; the rest wait for room. Many more share the CPU among so many that each finishes
 * late (and hold more memory); many fewer are too few to share a commit (BENCHMARKS.md).
 */
const MAX_IN_FLIGHT = 25
/** A chat's lease outlives its replica at most this long (or DELIVERY_LEASE_SECONDS, if shorter). */
const LONGEST_CHAT_LEASE_MS = 10_000
/** A chat whose handling paused (the store failed) is tried again after this long. */
const RETRY_PAUSED = "1 second"

/** Updates received together (a poll's batch, a webhook request), and when. */
export interface Arrivals {
  readonly updates: ReadonlyMap<number, Update>
  readonly at: number
}
/** Nothing in hand: the chat's updates are all read from the inbox. */
export const nothingInHand: Arrivals = { updates: new Map(), at: 0 }

/**
 * Runs on the chats this process holds (a chat's lease): one chat's updates in update_id order and one at a time,
 * chats in parallel, at most MAX_IN_FLIGHT at once, each update marked handled before the next.
 */
export class ChatRuns extends Effect.Service<ChatRuns>()("ChatRuns", {
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
    const claim = (ids: ReadonlyArray<number>) =>
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

    /**
     * A claimed chat (someone waits in it: PeopleFirst heard of it): waits for room, then handles it (after the
     * chat's earlier runs) in the background.
     */
    const start = (chat: number, arrivals: Arrivals): Effect.Effect<void> =>
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
        Effect.flatMap((left) => (left.length === 0 ? Effect.succeed([]) : claim([chat]))),
        Effect.flatMap((claimed) => claimed.length === 0 ? Effect.void : restart(chat)),
        Effect.catchAll((e) => Effect.logWarning(`looking at chat ${chat} again: ${e.message}`))
      )
    const restart = (chat: number) => peopleFirst.arrived(1).pipe(Effect.zipRight(start(chat, nothingInHand)))
    /** The store failed: the chat is tried again in a while, from what the inbox holds. */
    const retryLater = (chat: number): Effect.Effect<void> =>
      FiberSet.run(
        paused,
        Effect.sleep(RETRY_PAUSED).pipe(
          Effect.zipRight(claim([chat])),
          Effect.flatMap((claimed) => claimed.length === 0 ? Effect.void : restart(chat)),
          Effect.catchAll(() => retryLater(chat)),
          Effect.interruptible
        )
      ).pipe(Effect.asVoid)

    return {
      /** The store is this process's alone (see makeLeasedWork). */
      exclusive: chats.exclusive,
      /** Claims chats no other process holds; returns those now held here. */
      claim,
      /** The store's part of a claim, inside a unit; `hold` them once it has committed. */
      take: (ids: ReadonlyArray<number>) => chats.take(ids.map(String)).pipe(Effect.map((keys) => keys.map(Number))),
      hold: (ids: ReadonlyArray<number>) => chats.hold(ids.map(String)),
      /** This process holds the chat (a run on it is under way or waiting). */
      holds: (chat: number) => chats.holds(String(chat)),
      start,
      /** Runs `work` in the background until it ends; shutdown waits for it. */
      inBackground: <A, E>(work: Effect.Effect<A, E>) => FiberSet.run(handlers, work).pipe(Effect.asVoid)
    } as const
  }),
  // The router (what handles an update) is the app's to give.
  dependencies: [PeopleFirst.Default]
}) {}
