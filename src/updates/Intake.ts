import { Clock, Effect, FiberSet, Schedule } from "effect"
import type { Update } from "grammy/types"

import { makeKeyedLock } from "../concurrency/KeyedLock.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { Funnel } from "../funnel/Funnel.js"
import { updateArrivedAt } from "../metrics/metrics.js"
import { Inbox } from "../store/Inbox.js"
import { claimFromNow, Replica } from "../store/Replica.js"
import { Transactor } from "../store/Transactor.js"
import { chatKey } from "../telegram/chatKey.js"

/**
 * Chats being handled at once; the rest wait for room. Many more share the CPU among so many that each finishes
 * late (and hold more memory); many fewer are too few to share a commit (BENCHMARKS.md).
 */
const MAX_IN_FLIGHT = 25
/** A chat's claim outlives its replica at most this long (or DELIVERY_LEASE_SECONDS, if shorter). */
const LONGEST_CHAT_LEASE_MS = 10_000
/** How often a replica looks for chats whose updates nobody handles (their replica died), and how many. */
const SWEEP_EVERY = "1 second"
const SWEEP_BATCH = 100

/** Updates received together (a poll's batch, a webhook request), and when. */
interface Arrivals {
  readonly updates: ReadonlyMap<number, Update>
  readonly at: number
}

/**
 * Handles recorded updates, whichever way they came (polling or webhook) and whichever replica recorded them:
 * one chat's in update_id order and one at a time (the replica that claims the chat handles all it has), chats
 * in parallel, at most MAX_IN_FLIGHT at once, each marked handled before the next. A chat whose replica died is
 * claimed by another once the claim lapses; what a previous run left is handled at start.
 */
export class Intake extends Effect.Service<Intake>()("Intake", {
  scoped: Effect.gen(function*() {
    const funnel = yield* Funnel
    const inbox = yield* Inbox
    const peopleFirst = yield* PeopleFirst
    const replica = yield* Replica
    const { atomically } = yield* Transactor
    const leaseMillis = Math.min(LONGEST_CHAT_LEASE_MS, (yield* AppConfig).deliveryLeaseSeconds * 1000)
    const withChatLock = yield* makeKeyedLock<number>()
    const handlers = yield* FiberSet.make()
    const inFlight = yield* Effect.makeSemaphore(MAX_IN_FLIGHT)
    /** Chats this replica is handling now (how many runs each): their claims are renewed. */
    const handling = new Map<number, number>()
    const newClaim = claimFromNow(replica.id, leaseMillis)
    const claimChats = (chats: ReadonlyArray<number>) =>
      Effect.flatMap(newClaim, ({ claim, now }) => inbox.claimChats(chats, claim, now))

    /**
     * Handles the chat's updates in order while this replica holds its claim, then lets go of it unless more came
     * meanwhile. The place in flight (taken by the caller) is given back once the updates are handled, before the
     * bookkeeping: the last mark and the release share one commit. Handlers never fail (Funnel.handle logs); an
     * update handled twice (its replica died before the mark) is harmless: a repeat tap makes no second lead and a
     * follow-up is keyed by its message.
     */
    const handleChat = (chat: number, arrivals: Arrivals) =>
      Effect.gen(function*() {
        let holdsPlace = true
        const givePlaceBack = Effect.suspend(() => {
          if (!holdsPlace) return Effect.void
          holdsPlace = false
          return inFlight.release(1).pipe(Effect.zipRight(peopleFirst.answered))
        })
        return yield* Effect.gen(function*() {
          while (true) {
            if (!holdsPlace) {
              yield* peopleFirst.arrived(1)
              yield* inFlight.take(1)
              holdsPlace = true
            }
            const todo = yield* inbox.unhandledOf(chat, arrivals.updates)
            let last: number | undefined
            for (const { receivedAt, update } of todo) {
              if (last !== undefined) yield* atomically(inbox.markHandled([last]))
              const arrivedAt = arrivals.updates.has(update.update_id) ? arrivals.at : receivedAt
              yield* Effect.locally(funnel.handle(update), updateArrivedAt, arrivedAt)
              last = update.update_id
            }
            yield* givePlaceBack
            const marked = last === undefined ? Effect.void : inbox.markHandled([last])
            if (yield* atomically(marked.pipe(Effect.zipRight(inbox.finishChat(chat, replica.id))))) return
            if ((yield* atomically(claimChats([chat]))).length === 0) return
          }
        }).pipe(Effect.ensuring(givePlaceBack))
      }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`handling chat ${chat} paused: ${e.message}`)),
        Effect.ensuring(Effect.sync(() => {
          const runs = (handling.get(chat) ?? 1) - 1
          if (runs === 0) handling.delete(chat)
          else handling.set(chat, runs)
        }))
      )

    /**
     * Chats this replica claimed are renewed from the claim on, while they wait for room too: a claim that lapsed
     * before its run started would let another replica handle the same updates at the same time.
     */
    const holdClaims = (chats: ReadonlyArray<number>) =>
      Effect.sync(() => {
        for (const chat of chats) handling.set(chat, (handling.get(chat) ?? 0) + 1)
      })

    /** A chat claimed (and held) here: waits for room, then handles it. */
    const startChat = (chat: number, arrivals: Arrivals) =>
      Effect.gen(function*() {
        yield* inFlight.take(1)
        yield* FiberSet.run(handlers, withChatLock(chat, handleChat(chat, arrivals)).pipe(Effect.uninterruptible))
      })

    /**
     * Records updates and claims their chats, as one unit: what is answered "ok" is durable. Returns what this
     * replica is to handle: the recorded updates of the chats it claimed (another replica's claim handles the rest).
     */
    const record = (updates: ReadonlyArray<Update>) =>
      atomically(
        inbox.record(updates).pipe(
          Effect.flatMap((fresh) => claimChats(fresh.map(chatKey)).pipe(Effect.map((claimed) => ({ claimed, fresh }))))
        )
      ).pipe(
        Effect.tap(({ claimed }) => holdClaims(claimed)),
        Effect.map(({ claimed, fresh }) => {
          const ours = new Set(claimed)
          return fresh.filter((u) => ours.has(chatKey(u)))
        })
      )

    /** Starts handling the chats of recorded updates and returns; waits first while too many are in flight. */
    const dispatch = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      Effect.gen(function*() {
        const chats = [...new Set(updates.map(chatKey))]
        const arrivals: Arrivals = { updates: new Map(updates.map((u) => [u.update_id, u])), at: arrivedAt }
        // Someone waits in each of them from now on, even while the batch waits for room.
        yield* peopleFirst.arrived(chats.length)
        for (const chat of chats) yield* startChat(chat, arrivals)
      })

    // Updates submitted without waiting (a webhook request answers at once) are dispatched in the order they came.
    const submitted = yield* Effect.makeSemaphore(1)
    /** Starts handling recorded updates in the background, in the order submitted; returns at once. */
    const submit = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      FiberSet.run(handlers, submitted.withPermits(1)(dispatch(updates, arrivedAt))).pipe(Effect.asVoid)

    // A store only this process opens: what its previous run claimed is let go at once.
    if (!replica.shared) yield* inbox.releaseChats(replica.id)
    const sweep = Effect.gen(function*() {
      const orphans = yield* inbox.orphanChats(yield* Clock.currentTimeMillis, SWEEP_BATCH)
      if (orphans.length === 0) return
      const claimed = yield* atomically(claimChats(orphans))
      if (claimed.length === 0) return
      yield* Effect.logInfo(`handling the updates of ${claimed.length} chats left unhandled (a stop or a crash)`)
      yield* holdClaims(claimed)
      yield* peopleFirst.arrived(claimed.length)
      for (const chat of claimed) yield* startChat(chat, { updates: new Map(), at: 0 })
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for updates left unhandled: ${e.message}`)))
    yield* sweep
    yield* sweep.pipe(
      Effect.repeat(Schedule.spaced(SWEEP_EVERY)),
      Effect.interruptible,
      Effect.forkScoped
    )
    const renew = newClaim.pipe(
      Effect.flatMap(({ claim }) => inbox.renewChats([...handling.keys()], claim)),
      Effect.catchAll((e) => Effect.logWarning(`renewing chat claims: ${e.message}`))
    )
    yield* renew.pipe(Effect.repeat(Schedule.spaced(leaseMillis / 3)), Effect.interruptible, Effect.forkScoped)

    // On shutdown: the chats under way are finished (their runs are uninterruptible) and let go; updates recorded
    // but not started yet stay in the inbox for another replica or the next start.
    yield* Effect.addFinalizer(() =>
      FiberSet.awaitEmpty(handlers).pipe(Effect.zipRight(inbox.releaseChats(replica.id)), Effect.ignore)
    )

    return { record, dispatch, submit } as const
  }),
  dependencies: [Funnel.Default, PeopleFirst.Default]
}) {}
