import { Clock, Effect, Layer, Option, Ref } from "effect"
import type { Update } from "grammy/types"

import { chatKey } from "../telegram/chatKey.js"
import { Inbox } from "./Inbox.js"

interface Entry {
  readonly update: Update
  readonly handledAt: number | undefined
  readonly receivedAt: number
}

/** In-memory inbox for unit tests: dedupes within one run. */
export const MemoryInbox = Layer.effect(
  Inbox,
  Effect.gen(function*() {
    const seen = yield* Ref.make(new Map<number, Entry>())
    const pending = (map: Map<number, Entry>) =>
      [...map.values()].filter((e) => e.handledAt === undefined).map((e) => e.update).sort((a, b) =>
        a.update_id - b.update_id
      )
    return Inbox.of({
      record: (updates) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(seen, (map) => {
            const next = new Map(map)
            const fresh: Array<Update> = []
            for (const update of updates) {
              if (!next.has(update.update_id)) {
                next.set(update.update_id, { update, handledAt: undefined, receivedAt: now })
                fresh.push(update)
              }
            }
            return [fresh, next]
          })),
      markHandled: (updateIds) =>
        Clock.currentTimeMillis.pipe(Effect.flatMap((at) =>
          Ref.update(seen, (map) => {
            const next = new Map(map)
            for (const id of updateIds) {
              const entry = next.get(id)
              if (entry) next.set(id, { ...entry, handledAt: at })
            }
            return next
          })
        )),
      unhandled: Ref.get(seen).pipe(Effect.map(pending)),
      lastRecorded: Ref.get(seen).pipe(
        Effect.map((map) => (map.size === 0 ? Option.none() : Option.some(Math.max(...map.keys()))))
      ),
      unhandledOf: (chatId, _inHand) =>
        Ref.get(seen).pipe(
          Effect.map((map) =>
            [...map.values()].filter((e) => e.handledAt === undefined && chatKey(e.update) === chatId)
              .sort((a, b) => a.update.update_id - b.update.update_id)
              .map((e) => ({ update: e.update, receivedAt: e.receivedAt }))
          )
        ),
      // One process's store: no lease of another holds a chat.
      chatsWithWork: (limit) =>
        Ref.get(seen).pipe(
          Effect.map((map) => [...new Set(pending(map).map(chatKey))].slice(0, limit))
        ),
      forgetHandled: (before) =>
        Ref.modify(seen, (map) => {
          const newest = Math.max(...map.keys())
          const next = new Map(
            [...map].filter(([id, e]) => id === newest || e.handledAt === undefined || e.handledAt >= before)
          )
          return [map.size - next.size, next]
        })
    })
  })
)
