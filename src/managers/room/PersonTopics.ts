import { Effect, Option } from "effect"

import type { Contact } from "../../lead/Lead.js"
import type { StoreError } from "../../store/StoreError.js"
import { Topics } from "../../store/Topics.js"
import type { TelegramError } from "../../telegram/TelegramError.js"
import type { ManagersRoom } from "./ManagersRoom.js"

/** A forum topic a send named is gone (a manager deleted it). */
const isThreadGone = (e: TelegramError) => e.code === 400 && /message thread not found/i.test(e.description)

/** Telegram's limit on a topic's name. */
const TOPIC_NAME_LIMIT = 128

/** A person's topic name: `<name> · <BRAND>`, within Telegram's limit. */
export const topicName = (contact: Contact, brand: string): string =>
  `${contact.fullName || "профиль"} · ${brand.toUpperCase()}`.slice(0, TOPIC_NAME_LIMIT)

/**
 * In a forum managers' chat, everything about a person goes into their topic: found in the store, or made at their
 * first message there, and made anew when a manager deleted it. Outside a forum there is no topic.
 */
export class PersonTopics extends Effect.Service<PersonTopics>()("PersonTopics", {
  effect: Effect.gen(function*() {
    const topics = yield* Topics

    /** The person's topic in the room: theirs, or one made now (another replica's, if it made one meanwhile). */
    const topicOf = (room: ManagersRoom, contact: Contact, brand: string) =>
      Effect.gen(function*() {
        const known = yield* topics.of(room.chat.id, contact.telegramId)
        if (Option.isSome(known)) return known.value
        const made = yield* room.makeTopic(topicName(contact, brand))
        yield* Effect.logInfo(`forum topic made for the person: ${made}`)
        return yield* topics.settle(room.chat.id, contact.telegramId, made)
      })

    /**
     * Posts about the person in their topic (none outside a forum). A topic a manager deleted is dropped and a new
     * one made, and the post is made again there, whole.
     */
    const inTopic = <A>(
      room: ManagersRoom,
      about: { readonly contact: Contact; readonly brand: string },
      post: (thread: number | undefined) => Effect.Effect<A, TelegramError>
    ): Effect.Effect<A, TelegramError | StoreError> => {
      if (!room.forum) return post(undefined)
      const { brand, contact } = about
      return topicOf(room, contact, brand).pipe(
        Effect.flatMap((thread) =>
          post(thread).pipe(
            Effect.catchIf(isThreadGone, () =>
              Effect.logWarning("the person's forum topic is gone: a new one is made").pipe(
                Effect.zipRight(topics.drop(room.chat.id, contact.telegramId, thread)),
                Effect.zipRight(topicOf(room, contact, brand)),
                Effect.flatMap(post)
              ))
          )
        )
      )
    }

    return { inTopic } as const
  })
}) {}
