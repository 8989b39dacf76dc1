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
        const replied = message.reply_to_message
        const ofReplied = replied === undefined
          ? Effect.succeed(Option.none<Concerning>())
          : adminMessages.concerning(message.chat.id, replied.message_id)
        const thread = message.is_topic_message ? message.message_thread_id : undefined
        if (thread !== undefined) {
          const person = yield* topics.personOf(message.chat.id, thread)
          if (Option.isSome(person)) {
            // In their topic, a reply to one of their leads' messages answers that lead; anything else their latest.
            const about = yield* ofReplied
            const leadId = Option.isSome(about) && about.value._tag === "Person" &&
                about.value.telegramId === person.value
              ? about.value.leadId
              : Option.none<string>()
            return Option.some<Concerning>({ _tag: "Person", telegramId: person.value, leadId })
          }
        }
        return yield* ofReplied
      })

    return { record, of } as const
  })
}) {}
