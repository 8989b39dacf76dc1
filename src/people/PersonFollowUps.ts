import { Clock, Effect, Option } from "effect"
import type { Message, User } from "grammy/types"

import { Deliveries } from "../lead/Deliveries.js"
import type { Media } from "../lead/Lead.js"
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

/** What the person sends after their lead: queued for the managers with the news that the lead has work again. */
export class PersonFollowUps extends Effect.Service<PersonFollowUps>()("PersonFollowUps", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const deliveries = yield* Deliveries
    const user = yield* UserChat
    const { atomically } = yield* Transactor

    const followUp = Effect.fn("PersonFollowUps.followUp")(function*(from: User, message: Message) {
      const chatId = message.chat.id
      const text = message.text ?? message.caption ?? ""
      const latest = yield* followUps.latestLead(from.id)
      if (Option.isNone(latest) || text.startsWith("/")) return yield* user.brandChooser(chatId)
      // The follow-up and the news that its lead has work again, together.
      const queued = yield* atomically(
        followUps.add({ leadId: latest.value, chatId, messageId: message.message_id, media: mediaOf(message), text })
          .pipe(Effect.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.wake(latest.value, at)))))
      )
      yield* Effect.logInfo(`follow-up ${queued.seq} queued`).pipe(Effect.annotateLogs({ lead: latest.value }))
      yield* deliveries.schedule(latest.value)
      yield* user.send(chatId, user.texts.follow_up_thanks)
    })

    return { followUp } as const
  }),
  dependencies: [UserChat.Default]
}) {}
