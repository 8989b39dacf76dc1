import { Clock, Duration, Effect, Fiber, FiberRef, Metric, Option } from "effect"
import type { User } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import { nextId } from "../lead/Ids.js"
import type { Contact, Lead } from "../lead/Lead.js"
import { confirmationSeconds, labelled, leadsRecorded, updateArrivedAt } from "../metrics/metrics.js"
import { type Profile, Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { StartEvents } from "../store/StartEvents.js"
import { Transactor } from "../store/Transactor.js"
import { UserChat } from "./UserChat.js"

const recordedOf = labelled(leadsRecorded, "brand")

/** A second tap on the same service within this window is answered but makes no second lead. */
export const REPEAT_TAP_WINDOW = Duration.minutes(10)

const contactOf = (user: User): Contact => ({
  telegramId: user.id,
  fullName: [user.first_name, user.last_name].filter(Boolean).join(" "),
  username: Option.fromNullable(user.username)
})

/**
 * A tap on a service button is a lead: recorded (with the person's pointer to it) before the person is answered,
 * then confirmed, then handed to delivery.
 */
export class LeadTaps extends Effect.Service<LeadTaps>()("LeadTaps", {
  effect: Effect.gen(function*() {
    const profiles = yield* Profiles
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const deliveries = yield* Deliveries
    const user = yield* UserChat
    const transactor = yield* Transactor
    const starts = yield* StartEvents
    const { campaignWindowDays } = yield* AppConfig
    const campaignWindow = Duration.toMillis(Duration.days(campaignWindowDays))

    /** The confirmation's latency, from the update's arrival (when the fiber handling it knows it). */
    const confirmed = Effect.all([FiberRef.get(updateArrivedAt), Clock.currentTimeMillis]).pipe(
      Effect.flatMap(([arrivedAt, now]) =>
        arrivedAt === undefined ? Effect.void : Metric.update(confirmationSeconds, Math.max(0, now - arrivedAt) / 1000)
      )
    )

    /** The lead of a tap, unless the person tapped this service within the window; true when recorded. */
    const record = (lead: Lead) =>
      transactor.atomically(
        leads.record(lead, lead.createdAt - Duration.toMillis(REPEAT_TAP_WINDOW)).pipe(
          Effect.tap((isNew) => (isNew ? followUps.attach(lead.contact.telegramId, lead.id) : Effect.void))
        )
      )

    /**
     * The person first: the tap's spinner and the confirmation go out together, and the CRM call starts after
     * them (it runs in the background either way; this keeps a burst's confirmations in front of it). The
     * confirmation is marked sent as soon as Telegram has it, not after the spinner too: a crash in between sends it
     * once more after the restart.
     */
    const confirm = (chatId: number, queryId: string, profile: Profile, lead: Lead) =>
      Effect.gen(function*() {
        const markSent = Clock.currentTimeMillis.pipe(
          Effect.flatMap((at) => transactor.promptly(leads.markConfirmed(lead.id, at)))
        )
        const confirming = yield* Effect.fork(
          user.confirmation(chatId, profile, lead.title).pipe(
            Effect.zipRight(confirmed),
            Effect.zipRight(markSent)
          )
        )
        // The spinner's answer goes out first (Telegram asks for it at once); the confirmation right with it.
        yield* user.answerTap(queryId).pipe(Effect.catchAll((e) => Effect.logWarning(e.message)))
        yield* Fiber.join(confirming)
      }).pipe(Effect.ensuring(deliveries.schedule(lead.id)))

    /** A tap on one of a brand's service buttons. */
    const tapService = Effect.fn("LeadTaps.tapService")(
      function*(from: User, chatId: number, queryId: string, profileKey: string, serviceId: string) {
        const profile = profiles.get(profileKey)
        const service = Option.flatMap(
          profile,
          (p) => Option.fromNullable(p.services.find((s) => s.id === serviceId))
        )
        if (Option.isNone(profile) || Option.isNone(service)) return yield* user.staleMenu(chatId, queryId, profile)
        const now = yield* Clock.currentTimeMillis
        const fresh: Lead = {
          id: yield* nextId,
          profile: profile.value.key,
          brandName: profile.value.name,
          serviceId,
          title: service.value.title,
          contact: contactOf(from),
          createdAt: now,
          tapId: queryId,
          // Last touch: the campaign of the person's latest /start within the window.
          campaign: yield* starts.campaignOf(from.id, now - campaignWindow)
        }
        const recorded = yield* record(fresh)
        // Not recorded: a second tap (a pop-up), or this very tap replayed after the process stopped before the
        // person saw the confirmation, which is still owed to them.
        const lead = recorded ? fresh : Option.getOrUndefined(yield* leads.owedConfirmation(queryId))
        if (lead === undefined) return yield* user.answerTap(queryId, user.texts.already_accepted)
        yield* Effect.logInfo(
          recorded ? `lead recorded: ${lead.profile}/${serviceId}` : "confirmation owed from before a restart"
        ).pipe(Effect.annotateLogs({ lead: lead.id }))
        if (recorded) yield* Metric.increment(recordedOf(lead.profile))
        yield* confirm(chatId, queryId, profile.value, lead)
      }
    )

    return { tapService } as const
  }),
  dependencies: [UserChat.Default]
}) {}
