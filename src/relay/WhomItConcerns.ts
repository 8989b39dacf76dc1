import { Effect, Option } from "effect"
import type { Message } from "grammy/types"

import type { Lead } from "../lead/Lead.js"
import { AdminMessages, type Concerning } from "../store/AdminMessages.js"
import { Topics } from "../store/Topics.js"

/**
 * Whom a message in a managers' chat concerns: the one way a manager's message reaches a person (nothing a person
 * sends can route a message anywhere). Delivery records every message it posts about a person; a manager's message
 * is then theirs when it replies to one of those, or, in a forum, when it is written in their topic.
 */
export class WhomItConcerns extends Effect.Service<WhomItConcerns>()("WhomItConcerns", {
  effect: Effect.gen(function*() {
    const adminMessages = yield* AdminMessages
    const topics = yield* Topics

    /** The messages just posted in the chat about a lead concern its person (a reply to any of them reaches them). */
    const record = (chatId: number, lead: Lead, messageIds: ReadonlyArray<number>) =>
      adminMessages.record(
        messageIds.map((messageId) => ({ chatId, messageId, telegramId: lead.contact.telegramId, leadId: lead.id }))
      )

    /**
     * In a forum, the person whose topic it was written in (no reply needed); else the person of the bot's message
     * it replies to, and the lead that message is about. The General topic, and a topic of nobody's, are no person's.
     */
    const of = (message: Message) =>
      Effect.gen(function*() {
        const thread = message.is_topic_message ? message.message_thread_id : undefined
        if (thread !== undefined) {
          const person = yield* topics.personOf(message.chat.id, thread)
          if (Option.isSome(person)) {
            return Option.some<Concerning>({ _tag: "Person", telegramId: person.value, leadId: Option.none() })
          }
        }
        const replied = message.reply_to_message
        return replied === undefined
          ? Option.none<Concerning>()
          : yield* adminMessages.concerning(message.chat.id, replied.message_id)
      })

    return { record, of } as const
  })
}) {}
