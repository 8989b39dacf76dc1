import { Effect, Layer, Option } from "effect"

import { AdminMessages } from "../AdminMessages.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

interface Row {
  readonly chatId: number
  readonly messageId: number
  /** None once the person it concerned was forgotten (the SQL store's NULL). */
  readonly telegramId: Option.Option<number>
  readonly leadId: Option.Option<string>
}

const inOrder = (a: Row, b: Row) => a.chatId - b.chatId || a.messageId - b.messageId

/** Which admin-chat message concerns whom, in memory (unit tests), under the SQL store's rules. */
export const MemoryAdminMessages = Layer.effect(
  AdminMessages,
  Effect.sync(() => {
    const about = new MemoryTable<string, Row>()
    const key = (chatId: number, messageId: number) => `${chatId}:${messageId}`
    return AdminMessages.of({
      record: (messages) =>
        write((unit) => {
          for (const m of messages) {
            if (!about.has(key(m.chatId, m.messageId))) {
              about.set(unit, key(m.chatId, m.messageId), {
                chatId: m.chatId,
                messageId: m.messageId,
                telegramId: Option.some(m.telegramId),
                leadId: Option.fromNullable(m.leadId)
              })
            }
          }
        }),
      concerning: (chatId, messageId) =>
        read(() =>
          Option.map(
            Option.fromNullable(about.get(key(chatId, messageId))),
            (row) =>
              Option.match(row.telegramId, {
                onNone: () => ({ _tag: "Forgotten" as const }),
                onSome: (telegramId) => ({ _tag: "Person" as const, telegramId, leadId: row.leadId })
              })
          )
        ),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = about.values().filter((row) => Option.contains(row.telegramId, telegramId)).sort(inOrder)
          for (const row of theirs) {
            about.set(unit, key(row.chatId, row.messageId), {
              ...row,
              telegramId: Option.none(),
              leadId: Option.none()
            })
          }
          return theirs.map(({ chatId, messageId }) => ({ chatId, messageId }))
        })
    })
  })
)
