import { Effect, Layer, Option } from "effect"

import { AdminMessages } from "../AdminMessages.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

/** Which admin-chat message concerns whom, in memory (unit tests). */
export const MemoryAdminMessages = Layer.effect(
  AdminMessages,
  Effect.sync(() => {
    const about = new MemoryTable<string, number>()
    const key = (chatId: number, messageId: number) => `${chatId}:${messageId}`
    return AdminMessages.of({
      record: (messages) =>
        write((unit) => {
          for (const m of messages) {
            if (!about.has(key(m.chatId, m.messageId))) about.set(unit, key(m.chatId, m.messageId), m.telegramId)
          }
        }),
      concerning: (chatId, messageId) =>
        read(() =>
          Option.map(
            Option.fromNullable(about.get(key(chatId, messageId))),
            (telegramId) => ({ _tag: "Person" as const, telegramId })
          )
        )
    })
  })
)
