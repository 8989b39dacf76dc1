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
    const claims = new Map<number, { readonly by: string; readonly until: number }>()
    const pending = (map: Map<number, Entry>) =>
      [...map.values()].filter((e) => e.handledAt === undefined).map((e) => e.update).sort((a, b) =>
        a.update_id - b.update_id
      )
    return Inbox.of({
      record: (updates) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(seen, (map) => {
            const next = new Map(map)
            for (const update of updates) {
              if (!next.has(update.update_id)) {
                next.set(update.update_id, { update, handledAt: undefined, receivedAt: now })
              }
            }
            const ids = new Set(updates.map((u) => u.update_id))
            return [pending(next).filter((u) => ids.has(u.update_id)), next]
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
      claimChats: (chatIds, claim, now) =>
        Effect.sync(() =>
          [...new Set(chatIds)].filter((chat) => {
            const held = claims.get(chat)
            if (held !== undefined && held.by !== claim.by && held.until >= now) return false
            claims.set(chat, claim)
            return true
          })
        ),
      unhandledOf: (chatId, _inHand) =>
        Ref.get(seen).pipe(
          Effect.map((map) =>
            [...map.values()].filter((e) => e.handledAt === undefined && chatKey(e.update) === chatId)
              .sort((a, b) => a.update.update_id - b.update.update_id)
              .map((e) => ({ update: e.update, receivedAt: e.receivedAt }))
          )
        ),
      finishChat: (chatId, by) =>
        Ref.get(seen).pipe(Effect.map((map) => {
          if (claims.get(chatId)?.by !== by) return false
          if ([...map.values()].some((e) => e.handledAt === undefined && chatKey(e.update) === chatId)) return false
          claims.delete(chatId)
          return true
        })),
      orphanChats: (now, limit) =>
        Ref.get(seen).pipe(Effect.map((map) =>
          [
            ...new Set(
              [...map.values()].filter((e) => e.handledAt === undefined).map((e) => chatKey(e.update)).filter(
                (chat) => (claims.get(chat)?.until ?? -Infinity) < now
              )
            )
          ].slice(0, limit)
        )),
      renewChats: (chatIds, claim) =>
        Effect.sync(() => {
          for (const chat of chatIds) if (claims.get(chat)?.by === claim.by) claims.set(chat, claim)
        }),
      releaseChats: (by) =>
        Effect.sync(() => {
          for (const [chat, held] of claims) if (held.by === by) claims.delete(chat)
        }),
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
