import { Clock, Effect, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { AppConfig } from "../config/AppConfig.js"
import { CrmNoteQueue } from "../crmNotes/CrmNoteQueue.js"
import { nextId } from "../lead/Ids.js"
import { fallbackChatOf, type Lead, type Outcome } from "../lead/Lead.js"
import { ManagersPosts } from "../managers/post/ManagersPosts.js"
import { ReminderClock } from "../managers/reminders/ReminderClock.js"
import { ManagersRooms } from "../managers/room/ManagersRooms.js"
import type { Marks } from "../managers/views/fallbackView.js"
import type { Posted } from "../managers/views/Plan.js"
import { postedSteps } from "../privacy/erasureSteps.js"
import { WhomItConcerns } from "../relay/WhomItConcerns.js"
import { Erasures } from "../store/Erasures.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import type { StoreError } from "../store/StoreError.js"
import { Transactor } from "../store/Transactor.js"
import { isChatGone } from "../telegram/TelegramError.js"

/**
 * What reaches the managers after a lead's outcome: the person's follow-ups (edited into the fallback message, or
 * sent on their own; a native CRM's lead gets each as a note too), a manager's "✅ Внесено в CRM" shown on the
 * fallback message, the card (ADMIN_NOTIFY=all). Each is recorded once posted, with what it posted about the person
 * (a reply to it reaches them).
 */
export class AdminUpdates extends Effect.Service<AdminUpdates>()("AdminUpdates", {
  effect: Effect.gen(function*() {
    const posts = yield* ManagersPosts
    const rooms = yield* ManagersRooms
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const attempts = yield* Attempts
    const whom = yield* WhomItConcerns
    const reminders = yield* ReminderClock
    const erasures = yield* Erasures
    const crmNotes = yield* CrmNoteQueue
    const { adminChatId, adminNotify } = yield* AppConfig
    const { atomically } = yield* Transactor

    /**
     * What was posted concerns the lead's person; a fallback message posted anew (its forum topic was deleted, or
     * its brand's chat changed) is the lead's from now on. The outcome as it now stands.
     */
    const recordPosted = (
      lead: Lead,
      outcome: Outcome,
      { moved, posted }: Posted
    ): Effect.Effect<Outcome, StoreError> =>
      Effect.gen(function*() {
        const chatId = rooms.of(lead.profile).chat.id
        // Its person forgotten meanwhile: what was just posted about them is cleaned too, and linked to nobody.
        if (Option.isNone(yield* leads.get(lead.id))) {
          yield* erasures.queue({
            id: yield* nextId,
            by: "delivery",
            createdAt: yield* Clock.currentTimeMillis,
            steps: postedSteps(chatId, posted)
          })
          return outcome
        }
        yield* whom.record(chatId, lead, posted)
        if (moved === undefined || outcome._tag !== "Fallback") return outcome
        yield* leads.moveFallback(lead.id, chatId, moved)
        return { ...outcome, chatId: Option.some(chatId), messageId: moved }
      })

    /**
     * One try at applying the lead's queued follow-ups, in order; stops at the first that fails. Returns the
     * outcome as it now stands (the fallback message may have moved).
     */
    const applyFollowUps = (lead: Lead, outcome: Outcome, marks: Marks) =>
      Effect.gen(function*() {
        let current = outcome
        for (const followUp of yield* followUps.queued(lead.id)) {
          const edited = yield* followUps.appliedByEdit(lead.id)
          const applied = yield* attempts.one(posts.applyFollowUp(lead, current, followUp, edited, marks)).pipe(
            Effect.tapError((e) =>
              e._tag === "TelegramError" && isChatGone(e)
                ? Effect.logError(`follow-up not delivered yet, will retry: ${rooms.of(lead.profile).explain(e)}`)
                : Effect.logWarning(`follow-up not delivered yet, will retry: ${e.message}`)
            )
          )
          current = yield* atomically(
            followUps.markApplied(lead.id, followUp.seq, applied.via).pipe(
              Effect.zipRight(crmNotes.followUp(followUp)),
              Effect.zipRight(recordPosted(lead, current, applied))
            )
          )
          yield* Effect.logInfo(`follow-up ${followUp.seq} applied (${applied.via})`)
        }
        return current
      })

    /** Shows a manager's mark on the fallback message, once. */
    const showHandled = (lead: Lead, outcome: Outcome, marks: Marks) => {
      const { handled } = marks
      return outcome._tag !== "Fallback" || Option.isNone(handled) ? Effect.void : Effect.gen(function*() {
        const shown = yield* attempts.one(
          posts.showHandled(lead, outcome, yield* followUps.appliedByEdit(lead.id), { ...marks, handled })
        )
        yield* atomically(leads.markHandledShown(lead.id).pipe(Effect.zipRight(recordPosted(lead, outcome, shown))))
      }).pipe(Effect.tapError((e) => Effect.logWarning(`handled mark saved, message not updated yet: ${e.message}`)))
    }

    /** Shows on the fallback message that its CRM took the lead after all (reconciliation), once. */
    const showReconciled = (lead: Lead, outcome: Outcome, marks: Marks) => {
      const { reconciled } = marks
      return outcome._tag !== "Fallback" || Option.isNone(reconciled) ? Effect.void : Effect.gen(function*() {
        const shown = yield* attempts.one(
          posts.showReconciled(lead, outcome, yield* followUps.appliedByEdit(lead.id), { ...marks, reconciled })
        )
        yield* atomically(
          leads.markReconciledShown(lead.id).pipe(Effect.zipRight(recordPosted(lead, outcome, shown)))
        )
      }).pipe(Effect.tapError((e) => Effect.logWarning(`the CRM has the lead, message not updated yet: ${e.message}`)))
    }

    /** Shows who took the lead on its message (the fallback, or the card), once. */
    const showTaken = (lead: Lead, outcome: Outcome, card: Option.Option<number>, marks: Marks) => {
      const { taken } = marks
      return Option.isNone(taken) ? Effect.void : Effect.gen(function*() {
        const edited = outcome._tag === "Fallback" ? yield* followUps.appliedByEdit(lead.id) : []
        const shown = yield* attempts.one(posts.showTaken(lead, outcome, card, edited, { ...marks, taken }))
        yield* atomically(leads.markTakenShown(lead.id).pipe(Effect.zipRight(recordPosted(lead, outcome, shown))))
      }).pipe(Effect.tapError((e) => Effect.logWarning(`the take saved, message not updated yet: ${e.message}`)))
    }

    /** ADMIN_NOTIFY=all: a lead the CRM took gets its card, once; a reply to the card reaches the person. */
    const postCard = (lead: Lead, outcome: Outcome, card: Option.Option<number>) =>
      adminNotify !== "all" || outcome._tag !== "Crm" || Option.isSome(card) ? Effect.void : Effect.gen(function*() {
        const messageId = yield* attempts.one(posts.postCard(lead))
        yield* atomically(
          leads.setCard(lead.id, messageId).pipe(
            Effect.zipRight(recordPosted(lead, outcome, { posted: [messageId], inMessage: false })),
            Effect.zipRight(reminders.schedule(lead))
          )
        )
      }).pipe(Effect.tapError((e) => Effect.logWarning(`lead card not posted yet, will retry: ${e.message}`)))

    /**
     * A fallback not entered yet (by hand, or by reconciliation) whose message is in another chat than its brand's
     * (the chat changed since): posted there whole, once. The outcome as it now stands.
     */
    const relocate = (lead: Lead, outcome: Outcome, marks: Marks) =>
      outcome._tag !== "Fallback" || Option.isSome(marks.handled) || Option.isSome(marks.reconciled) ||
        fallbackChatOf(outcome, adminChatId) === rooms.of(lead.profile).chat.id
        ? Effect.succeed(outcome)
        : Effect.gen(function*() {
          const posted = yield* attempts.one(
            posts.relocate(lead, outcome, yield* followUps.appliedByEdit(lead.id), marks)
          )
          yield* Effect.logInfo("a fallback posted in its brand's new managers' chat")
          return yield* atomically(recordPosted(lead, outcome, posted))
        })

    return { applyFollowUps, showHandled, showReconciled, showTaken, postCard, relocate } as const
  }),
  dependencies: [
    ManagersPosts.Default,
    ManagersRooms.Default,
    Attempts.Default,
    WhomItConcerns.Default,
    ReminderClock.Default,
    CrmNoteQueue.Default
  ]
}) {}
