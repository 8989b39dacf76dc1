import { Effect, Layer, Option } from "effect"

import { Topics } from "../Topics.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

/** Each person's topic of a forum admin chat, in memory (unit tests), under the SQL store's rules. */
export const MemoryTopics = Layer.effect(
  Topics,
  Effect.sync(() => {
    const topics = new MemoryTable<string, { telegramId: number; threadId: number; chatId: number }>()
    const key = (chatId: number, telegramId: number) => `${chatId}:${telegramId}`
    return Topics.of({
      of: (chatId, telegramId) =>
        read(() => Option.map(Option.fromNullable(topics.get(key(chatId, telegramId))), (t) => t.threadId)),
      settle: (chatId, telegramId, threadId) =>
        write((unit) => {
          const standing = topics.get(key(chatId, telegramId))
          if (standing !== undefined) return standing.threadId
          if (topics.values().some((t) => t.chatId === chatId && t.threadId === threadId)) return threadId
          topics.set(unit, key(chatId, telegramId), { chatId, telegramId, threadId })
          return threadId
        }),
      personOf: (chatId, threadId) =>
        read(() =>
          Option.map(
            Option.fromNullable(topics.values().find((t) => t.chatId === chatId && t.threadId === threadId)),
            (t) => t.telegramId
          )
        ),
      drop: (chatId, telegramId, threadId) =>
        write((unit) => {
          if (topics.get(key(chatId, telegramId))?.threadId === threadId) topics.delete(unit, key(chatId, telegramId))
        }),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = topics.values().filter((t) => t.telegramId === telegramId).sort((a, b) => a.chatId - b.chatId)
          for (const t of theirs) topics.delete(unit, key(t.chatId, telegramId))
          return theirs.map(({ chatId, threadId }) => ({ chatId, threadId }))
        })
    })
  })
)
