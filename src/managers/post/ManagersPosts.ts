import { Effect, Option } from "effect"

import { AppConfig } from "../../config/AppConfig.js"
import type { CrmError } from "../../crm/CrmError.js"
import {
  type AppliedVia,
  fallbackChatOf,
  type FallbackOutcome,
  type FollowUp,
  type Handled,
  type Lead,
  type Outcome,
  type Taken
} from "../../lead/Lead.js"
import { Profiles } from "../../profiles/Profiles.js"
import { ManagersRooms } from "../room/ManagersRooms.js"
import { PersonTopics } from "../room/PersonTopics.js"
import { cardView } from "../views/cardView.js"
import { fallbackView, type Marks } from "../views/fallbackView.js"
import { crmFollowUpPlan, smartEditPlan } from "../views/followUpPlan.js"
import { markPlan } from "../views/markPlan.js"
import { type Plan, type Posted, send } from "../views/Plan.js"
import { DUPLICATE_WARNING, fallbackHtml, handledHtml, reconciledHtml, takenHtml } from "../views/render.js"
import { executePlan } from "./executePlan.js"

/** What applying a follow-up did: how it reached the managers, and what was posted. */
export interface Applied extends Posted {
  readonly via: AppliedVia
}

/**
 * Everything posted about a lead in its brand's managers' chat (in the person's topic in a forum): the fallback,
 * the card, follow-ups, the handled mark. The views say what; a plan is run in the room. Only Telegram and store
 * errors escape.
 */
export class ManagersPosts extends Effect.Service<ManagersPosts>()("ManagersPosts", {
  effect: Effect.gen(function*() {
    const rooms = yield* ManagersRooms
    const topics = yield* PersonTopics
    const { texts, utmOf } = yield* Profiles
    const { adminChatId, adminTimeZone } = yield* AppConfig

    /** Runs the plan in the room of the lead's brand, in the person's topic there. */
    const post = (lead: Lead, plan: (where: { forum: boolean; chatId: number }) => Plan) => {
      const room = rooms.of(lead.profile)
      return topics.inTopic(
        room,
        { contact: lead.contact, brand: lead.profile },
        (thread) => executePlan(room, thread, plan({ forum: room.forum, chatId: room.chat.id }))
      )
    }

    /**
     * Where the fallback message is, from the room's side. One in another chat (its brand's chat changed since) is
     * never edited or replied to here: its id means another message in this chat, maybe another lead's.
     */
    const whereIs = (outcome: FallbackOutcome, room: { forum: boolean; chatId: number }) => ({
      messageId: fallbackChatOf(outcome, adminChatId) === room.chatId ? outcome.messageId : undefined,
      forum: room.forum
    })
    const stateOf = (lead: Lead, original: string, edited: ReadonlyArray<FollowUp>, marks: Marks) => ({
      lead,
      original,
      edited,
      ...marks,
      takeText: texts.take,
      timeZone: adminTimeZone
    })
    const unmarked: Marks = { taken: Option.none(), handled: Option.none(), reconciled: Option.none() }

    const postFallback = Effect.fn("ManagersPosts.postFallback")(function*(lead: Lead, error: CrmError) {
      const original = fallbackHtml(lead, error, utmOf(lead.campaign))
      const view = fallbackView(stateOf(lead, original, [], unmarked))
      const { posted } = yield* post(lead, () => [send(view)])
      return {
        _tag: "Fallback",
        chatId: Option.some(rooms.of(lead.profile).chat.id),
        messageId: posted[0]!,
        html: original
      } satisfies FallbackOutcome
    })

    const cardOf = (lead: Lead, taken: Option.Option<Taken>) =>
      cardView(lead, utmOf(lead.campaign), taken, texts.take, adminTimeZone)

    /** ADMIN_NOTIFY=all: the card of a lead the CRM took; its message id. */
    const postCard = Effect.fn("ManagersPosts.postCard")(function*(lead: Lead) {
      return (yield* post(lead, () => [send(cardOf(lead, Option.none()))])).posted[0]!
    })

    /** A follow-up: the smart edit of a fallback lead, or a message of its own for a lead the CRM took. */
    const applyFollowUp = Effect.fn("ManagersPosts.applyFollowUp")(function*(
      lead: Lead,
      outcome: Outcome,
      followUp: FollowUp,
      edited: ReadonlyArray<FollowUp>,
      marks: Marks
    ) {
      const posted = yield* post(lead, (room) =>
        outcome._tag === "Fallback"
          ? smartEditPlan(stateOf(lead, outcome.html, edited, marks), followUp, whereIs(outcome, room))
          : crmFollowUpPlan(lead, followUp))
      return { ...posted, via: posted.inMessage ? "edit" : "message" } satisfies Applied
    })

    /** Shows on the fallback message who entered the lead and when (`marks.handled`), and takes its button away. */
    const showHandled = Effect.fn("ManagersPosts.showHandled")(function*(
      lead: Lead,
      outcome: FallbackOutcome,
      edited: ReadonlyArray<FollowUp>,
      marks: Marks & { readonly handled: Option.Some<Handled> }
    ) {
      const line = handledHtml(marks.handled.value.by, marks.handled.value.at, adminTimeZone)
      return yield* post(
        lead,
        (room) => markPlan(stateOf(lead, outcome.html, edited, marks), line, whereIs(outcome, room))
      )
    })

    /**
     * Shows on the fallback message that its CRM took the lead after all (`marks.reconciled`), and when, and takes
     * its "✅ Внесено в CRM" away; a lead also entered by hand gets the duplicate's warning.
     */
    const showReconciled = Effect.fn("ManagersPosts.showReconciled")(function*(
      lead: Lead,
      outcome: FallbackOutcome,
      edited: ReadonlyArray<FollowUp>,
      marks: Marks & { readonly reconciled: Option.Some<number> }
    ) {
      const lines = [reconciledHtml(marks.reconciled.value, adminTimeZone)]
      if (Option.isSome(marks.handled)) lines.push(DUPLICATE_WARNING)
      return yield* post(
        lead,
        (room) => markPlan(stateOf(lead, outcome.html, edited, marks), lines.join("\n"), whereIs(outcome, room))
      )
    })

    /**
     * Shows who took the lead (`marks.taken`) on its message, the fallback or the card, and takes "🙋 Беру" away. A
     * card gone is left so.
     */
    const showTaken = Effect.fn("ManagersPosts.showTaken")(function*(
      lead: Lead,
      outcome: Outcome,
      card: Option.Option<number>,
      edited: ReadonlyArray<FollowUp>,
      marks: Marks & { readonly taken: Option.Some<Taken> }
    ) {
      const line = takenHtml(marks.taken.value.by, marks.taken.value.at, adminTimeZone)
      return yield* post(lead, (room): Plan =>
        outcome._tag === "Fallback"
          ? markPlan(stateOf(lead, outcome.html, edited, marks), line, whereIs(outcome, room))
          : Option.match(card, {
            onNone: () => [],
            onSome: (messageId) => [{ _tag: "Edit", messageId, view: cardOf(lead, marks.taken) }]
          }))
    })

    /**
     * A fallback whose message is in another chat (its brand's chat changed since) is posted whole, with its buttons,
     * in its brand's chat, once: from then on that message is the lead's. Nothing when it is here already.
     */
    const relocate = Effect.fn("ManagersPosts.relocate")(function*(
      lead: Lead,
      outcome: FallbackOutcome,
      edited: ReadonlyArray<FollowUp>,
      marks: Marks
    ) {
      return yield* post(lead, (room) =>
        whereIs(outcome, room).messageId !== undefined
          ? []
          : [send(fallbackView(stateOf(lead, outcome.html, edited, marks)), { moves: true })])
    })

    return { postFallback, postCard, applyFollowUp, showHandled, showReconciled, showTaken, relocate } as const
  }),
  dependencies: [ManagersRooms.Default, PersonTopics.Default]
}) {}
