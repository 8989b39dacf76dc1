import { Effect, Layer } from "effect"
import type { Update } from "grammy/types"

import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"
import { chatKey } from "../telegram/chatKey.js"
import { ChatRuns } from "./ChatRuns.js"
import { Leftovers } from "./Leftovers.js"

/**
 * Where updates enter, whichever way they came (polling or webhook): recorded in the inbox with their chats
 * claimed, as one unit (what is answered "ok" is durable), then handed to the chats' runs (ChatRuns). What a
 * previous run left, or a dead replica's, is taken over by Leftovers.
 */
export class Intake extends Effect.Service<Intake>()("Intake", {
  effect: Effect.gen(function*() {
    const inbox = yield* Inbox
    const runs = yield* ChatRuns
    const peopleFirst = yield* PeopleFirst
    const { atomically } = yield* Transactor

    /**
     * Records updates and claims their chats, as one unit. Returns what this process is to handle: the new updates
     * of the chats it claimed (another replica's lease handles the rest). The chats are held here once the unit has
     * committed (a unit may run twice, or roll back).
     */
    const record = (updates: ReadonlyArray<Update>) =>
      atomically(
        inbox.record(updates).pipe(
          Effect.flatMap((fresh) => runs.take(fresh.map(chatKey)).pipe(Effect.map((claimed) => ({ claimed, fresh }))))
        )
      ).pipe(
        Effect.tap(({ claimed }) => runs.hold(claimed)),
        Effect.map(({ claimed, fresh }) => {
          const ours = new Set(claimed)
          return fresh.filter((u) => ours.has(chatKey(u)))
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
        for (const [chat, ofChat] of byChat) yield* runs.start(chat, { updates: ofChat, at: arrivedAt })
      })

    // Updates submitted without waiting (a webhook request answers at once) are dispatched in the order they came.
    const submitted = yield* Effect.makeSemaphore(1)
    /** Starts handling recorded updates in the background, in the order submitted; returns at once. */
    const submit = (updates: ReadonlyArray<Update>, arrivedAt: number) =>
      runs.inBackground(submitted.withPermits(1)(dispatch(updates, arrivedAt)))

    return { record, dispatch, submit } as const
  }),
  dependencies: [Leftovers.pipe(Layer.provideMerge(ChatRuns.Default), Layer.provideMerge(PeopleFirst.Default))]
}) {}
