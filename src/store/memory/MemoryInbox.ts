import { Clock, Effect, Layer, Option } from "effect"
import type { Update } from "grammy/types"

import { chatKey } from "../../telegram/chatKey.js"
import { Inbox } from "../Inbox.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

interface Entry {
  readonly update: Update
  readonly chatId: number
  readonly handledAt: number | undefined
  readonly receivedAt: number
}

const inOrder = (a: Entry, b: Entry) => a.update.update_id - b.update.update_id

/** The update was sent by the person, or in their private chat (the fields the SQL store reads of the payload). */
const concerns = (update: Update, telegramId: number) =>
  [update.message?.from?.id, update.message?.chat.id, update.callback_query?.from.id, update.edited_message?.from?.id]
    .includes(telegramId)

/** The inbox in memory (unit tests, the demo), under the SQL stores' rules. */
export const MemoryInbox = Layer.effect(
  Inbox,
  Effect.sync(() => {
    const updates = new MemoryTable<number, Entry>()
    const unhandled = () => updates.values().filter((e) => e.handledAt === undefined).sort(inOrder)
    const newest = () => Math.max(...updates.keys())

    return Inbox.of({
      record: (batch) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          write((unit) =>
            batch.filter((update) => {
              if (updates.has(update.update_id)) return false
              updates.set(unit, update.update_id, {
                update,
                chatId: chatKey(update),
                handledAt: undefined,
                receivedAt: now
              })
              return true
            })
          )),
      markHandled: (updateIds) =>
        Effect.flatMap(Clock.currentTimeMillis, (at) =>
          write((unit) => {
            for (const id of updateIds) {
              const entry = updates.get(id)
              if (entry) updates.set(unit, id, { ...entry, handledAt: at })
            }
          })),
      unhandled: read(() => unhandled().map((e) => e.update)),
      lastRecorded: read(() => (updates.keys().length === 0 ? Option.none() : Option.some(newest()))),
      unhandledOf: (chatId) =>
        read(() =>
          unhandled().filter((e) => e.chatId === chatId).map((e) => ({ update: e.update, receivedAt: e.receivedAt }))
        ),
      // One process's store: no lease of another holds a chat.
      chatsWithWork: (limit) => read(() => [...new Set(unhandled().map((e) => e.chatId))].slice(0, limit)),
      forgetHandled: (before) =>
        write((unit) => {
          const last = newest()
          const forgotten = updates.values().filter((e) =>
            e.update.update_id !== last && e.handledAt !== undefined && e.handledAt < before
          )
          for (const e of forgotten) updates.delete(unit, e.update.update_id)
          return forgotten.length
        }),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = updates.values().filter((e) => concerns(e.update, telegramId))
          for (const e of theirs) updates.delete(unit, e.update.update_id)
          return theirs.length
        })
    })
  })
)
