import { Effect, Layer, Schedule } from "effect"

import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { Inbox } from "../store/Inbox.js"
import { ChatRuns, nothingInHand } from "./ChatRuns.js"

/** On a shared store: how often a replica looks for chats whose updates nobody handles (their replica died). */
const SWEEP_EVERY = "1 second"
const SWEEP_BATCH = 100

/**
 * Chats with updates nobody handles: what a previous run left, at start; on a shared store also, every second, a
 * dead replica's (once its lease lapsed). Only a shared store can have such chats while this process runs.
 */
export const Leftovers = Layer.scopedDiscard(Effect.gen(function*() {
  const inbox = yield* Inbox
  const runs = yield* ChatRuns
  const peopleFirst = yield* PeopleFirst
  const takeOver = Effect.gen(function*() {
    const waiting = (yield* inbox.chatsWithWork(SWEEP_BATCH)).filter((chat) => !runs.holds(chat))
    if (waiting.length === 0) return
    const claimed = yield* runs.claim(waiting)
    if (claimed.length === 0) return
    yield* Effect.logInfo(`handling the updates of ${claimed.length} chats left unhandled (a stop or a crash)`)
    yield* peopleFirst.arrived(claimed.length)
    for (const chat of claimed) yield* runs.start(chat, nothingInHand)
  }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for updates left unhandled: ${e.message}`)))
  yield* takeOver
  if (!runs.exclusive) {
    yield* takeOver.pipe(Effect.repeat(Schedule.spaced(SWEEP_EVERY)), Effect.interruptible, Effect.forkScoped)
  }
}))
