import type { Update } from "grammy/types"

export interface Person {
  readonly id: number
  readonly first_name: string
  readonly username?: string
}

let updateId = 0
const chatOf = (p: Person) => ({ id: p.id, type: "private" as const, first_name: p.first_name })

/** A Bot API update for a tap on an inline button. */
export const tapUpdate = (person: Person, data: string): Update => ({
  update_id: ++updateId,
  callback_query: {
    id: `q${updateId}`,
    from: { ...person, is_bot: false },
    chat_instance: "ci",
    data,
    message: { message_id: 1, date: 0, chat: chatOf(person), text: "menu" }
  }
} as Update)

/** A Bot API update for a text message (a command when it starts with "/"). */
export const textUpdate = (person: Person, text: string): Update => ({
  update_id: ++updateId,
  message: {
    message_id: 1000 + updateId,
    date: 0,
    chat: chatOf(person),
    from: { ...person, is_bot: false },
    text,
    ...(text.startsWith("/")
      ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
      : {})
  }
} as Update)
