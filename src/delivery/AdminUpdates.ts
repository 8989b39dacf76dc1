import { Effect, Option } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import type { Handled, Lead, Outcome } from "../lead/Lead.js"
import { AdminChat } from "../managers/AdminChat.js"
import { AdminMessages } from "../store/AdminMessages.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import type { StoreError } from "../store/StoreError.js"
import { Transactor } from "../store/Transactor.js"
import { isChatGone } from "../telegram/TelegramError.js"
import { Attempts } from "./Attempts.js"

/**
 * What reaches the managers after a lead's outcome: the person's follow-ups (edited into the fallback message, or
 * sent on their own) and a manager's "✅ Внесено в CRM" shown on the fallback message.
 */
export class AdminUpdates extends Effect.Service<AdminUpdates>()("AdminUpdates", {
  effect: Effect.gen(function*() {
    const admin = yield* AdminChat
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const attempts = yield* Attempts
    const { adminNotify } = yield* AppConfig
    const adminMessages = yield* AdminMessages
    const { atomically } = yield* Transactor
    /** The messages posted in the admin chat concern the lead's person. */
    const about = (lead: Lead, posted: ReadonlyArray<number>) =>
      adminMessages.record(
        posted.map((messageId) => ({ chatId: admin.chatOf(lead), messageId, telegramId: lead.contact.telegramId }))
      )

    /**
     * The fallback message was posted anew (its forum topic was deleted, or its brand's chat changed) in the chat of
     * the lead's brand: the lead's outcome points to it.
     */
    const movedTo = (lead: Lead, outcome: Outcome, moved: number | undefined): Effect.Effect<Outcome, StoreError> => {
      if (moved === undefined || outcome._tag !== "Fallback") return Effect.succeed(outcome)
      const chatId = admin.chatOf(lead)
      return leads.moveFallback(lead.id, chatId, moved).pipe(
        Effect.as({ ...outcome, chatId: Option.some(chatId), messageId: moved })
      )
    }

    /**
     * One try at applying the lead's queued follow-ups, in order; stops at the first that fails. Returns the
     * outcome as it now stands (the fallback message may have moved).
     */
    const applyFollowUps = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      Effect.gen(function*() {
        let current = outcome
        for (const followUp of yield* followUps.queued(lead.id)) {
          const edited = yield* followUps.appliedByEdit(lead.id)
          const applied = yield* attempts.one(admin.applyFollowUp(lead, current, followUp, edited, handled)).pipe(
            Effect.tapError((e) =>
              e._tag === "TelegramError" && isChatGone(e)
                ? Effect.logError(`follow-up not delivered yet, will retry: ${admin.explain(e, admin.chatOf(lead))}`)
                : Effect.logWarning(`follow-up not delivered yet, will retry: ${e.message}`)
            )
          )
          // Applied, what was posted about the person (a reply to it reaches them), where the message now is.
          current = yield* atomically(
            followUps.markApplied(lead.id, followUp.seq, applied.via).pipe(
              Effect.zipRight(about(lead, applied.posted)),
              Effect.zipRight(movedTo(lead, current, applied.moved))
            )
          )
          yield* Effect.logInfo(`follow-up ${followUp.seq} applied (${applied.via})`)
        }
        return current
      })

    /** Shows a manager's mark on the fallback message, once. */
    const showHandled = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      outcome._tag !== "Fallback" || Option.isNone(handled) ? Effect.void : Effect.gen(function*() {
        const shown = yield* attempts.one(
          admin.showHandled(lead, outcome, yield* followUps.appliedByEdit(lead.id), handled.value)
        )
        yield* atomically(
          leads.markHandledShown(lead.id).pipe(
            Effect.zipRight(about(lead, shown.posted)),
            Effect.zipRight(movedTo(lead, outcome, shown.moved))
          )
        )
      }).pipe(Effect.tapError((e) => Effect.logWarning(`handled mark saved, message not updated yet: ${e.message}`)))

    /** ADMIN_NOTIFY=all: a lead the CRM took gets its card, once; a reply to the card reaches the person. */
    const postCard = (lead: Lead, outcome: Outcome, card: Option.Option<number>) =>
      adminNotify !== "all" || outcome._tag !== "Crm" || Option.isSome(card) ? Effect.void : Effect.gen(function*() {
        const messageId = yield* attempts.one(admin.postCard(lead))
        yield* atomically(leads.setCard(lead.id, messageId).pipe(Effect.zipRight(about(lead, [messageId]))))
      }).pipe(Effect.tapError((e) => Effect.logWarning(`lead card not posted yet, will retry: ${e.message}`)))

    return { applyFollowUps, showHandled, postCard } as const
  }),
  dependencies: [AdminChat.Default, Attempts.Default]
}) {}
