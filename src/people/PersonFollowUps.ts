import { Clock, Effect, Option } from "effect"
import type { Message, User } from "grammy/types"

import { Deliveries } from "../lead/Deliveries.js"
import type { Media } from "../lead/Lead.js"
import { normalisePhone, phoneInText } from "../lead/phone.js"
import { Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { UserChat } from "./UserChat.js"

const mediaOf = (message: Message): Option.Option<Media> =>
  message.photo
    ? Option.some("photo")
    : message.document
    ? Option.some("document")
    : message.video
    ? Option.some("video")
    : message.voice
    ? Option.some("voice")
    : Option.none()

/**
 * What the person sends after their lead: queued for the managers with the news that the lead has work again. Their
 * phone (their own shared contact, or a text that is only a number) is a follow-up of its own kind.
 */
export class PersonFollowUps extends Effect.Service<PersonFollowUps>()("PersonFollowUps", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const deliveries = yield* Deliveries
    const user = yield* UserChat
    const { atomically } = yield* Transactor
    // Where some brand shows the phone button, every thanks takes it away: no read of the lead on the person's path,
    // and a button left from another brand's lead goes too (without one, the removal shows nothing).
    const phoneButtonShown = (yield* Profiles).all.some((profile) => profile.askPhone)

    /** Queues it for the lead's managers, then thanks the person (taking the phone button away where it may be). */
    const queue = (leadId: string, message: Message, text: string, phone: boolean) =>
      Effect.gen(function*() {
        const chatId = message.chat.id
        // The follow-up and the news that its lead has work again, together.
        const queued = yield* atomically(
          followUps.add({ leadId, chatId, messageId: message.message_id, media: mediaOf(message), text, phone })
            .pipe(Effect.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.wake(leadId, at)))))
        )
        yield* Effect.logInfo(`${phone ? "phone" : "follow-up"} ${queued.seq} queued`).pipe(
          Effect.annotateLogs({ lead: leadId })
        )
        yield* deliveries.schedule(leadId)
        yield* user.send(chatId, user.texts.follow_up_thanks, phoneButtonShown ? { remove_keyboard: true } : undefined)
      })

    const followUp = Effect.fn("PersonFollowUps.followUp")(function*(from: User, message: Message) {
      const text = message.text ?? message.caption ?? ""
      const latest = yield* followUps.latestLead(from.id)
      if (Option.isNone(latest) || text.startsWith("/")) return yield* user.brandChooser(message.chat.id)
      const phone = message.text === undefined ? Option.none() : phoneInText(message.text)
      yield* queue(latest.value, message, Option.getOrElse(phone, () => text), Option.isSome(phone))
    })

    /** A shared contact: their own only (Telegram says whose it is); anyone else's is refused and not kept. */
    const contact = Effect.fn("PersonFollowUps.contact")(function*(from: User, message: Message) {
      const shared = message.contact
      const latest = yield* followUps.latestLead(from.id)
      if (shared === undefined || Option.isNone(latest)) return yield* user.brandChooser(message.chat.id)
      if (shared.user_id !== from.id) return yield* user.send(message.chat.id, user.texts.own_phone_only)
      yield* queue(latest.value, message, normalisePhone(shared.phone_number), true)
    })

    return { followUp, contact } as const
  }),
  dependencies: [UserChat.Default]
}) {}
