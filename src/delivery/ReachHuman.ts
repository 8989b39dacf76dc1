import { Clock, Effect, Metric, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { CrmClient } from "../crm/CrmClient.js"
import { CrmClientError, logLine, metricKind } from "../crm/CrmError.js"
import { crmPayload } from "../crm/CrmPayload.js"
import { nextId } from "../lead/Ids.js"
import { type Lead, type Outcome, outcomeKinds } from "../lead/Lead.js"
import { ManagersPosts } from "../managers/post/ManagersPosts.js"
import { ReminderClock } from "../managers/reminders/ReminderClock.js"
import { ManagersRooms } from "../managers/room/ManagersRooms.js"
import { adminAttemptOf, crmAttemptOf } from "../managers/views/attemptWording.js"
import { crmErrors, deliverySeconds, labelled, leadsDelivered } from "../metrics/metrics.js"
import { lateSteps } from "../privacy/erasureSteps.js"
import { Profiles } from "../profiles/Profiles.js"
import { WhomItConcerns } from "../relay/WhomItConcerns.js"
import { Erasures } from "../store/Erasures.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"

const crmErrorsOf = labelled(crmErrors, "brand", "kind")
const deliveredOf = labelled(leadsDelivered, "brand", "via")

/**
 * A lead reaches a human: the brand's CRM, or on any CrmError the managers' chat (the fallback). Each failure is
 * kept as an attempt; the outcome is stored once somebody has the lead.
 */
export class ReachHuman extends Effect.Service<ReachHuman>()("ReachHuman", {
  effect: Effect.gen(function*() {
    const crm = yield* CrmClient
    const posts = yield* ManagersPosts
    const rooms = yield* ManagersRooms
    const leads = yield* LeadStore
    const profiles = yield* Profiles
    const { promptly } = yield* Transactor
    const attempts = yield* Attempts
    const whom = yield* WhomItConcerns
    const erasures = yield* Erasures
    const reminders = yield* ReminderClock
    const followUps = yield* FollowUpState

    /** One round that the CRM failed, kept as one attempt with both errors when the fallback failed too. */
    const failedRound = (leadId: string, error: string, adminError: Option.Option<string>) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.recordAttempt(leadId, { at, error, adminError })))

    const sendToCrm = (lead: Lead, phone: Option.Option<string>) =>
      Option.match(Option.flatMap(profiles.get(lead.profile), (p) => p.webhookUrl), {
        onNone: () => Effect.fail(new CrmClientError({ detail: "no CRM webhook URL is configured for this brand" })),
        onSome: (url) => crm.send(url, crmPayload(lead, profiles.utmOf(lead.campaign), phone))
      })

    /**
     * One try, with the person's phone when they gave it before it (a lead retried while the CRM was down). Fails
     * only when the admin chat failed too.
     */
    const tryOnce = (lead: Lead) => followUps.phoneOf(lead.id).pipe(Effect.flatMap((phone) => tryWith(lead, phone)))
    const tryWith = (lead: Lead, phone: Option.Option<string>) =>
      sendToCrm(lead, phone).pipe(
        Effect.as<Outcome>({ _tag: "Crm" }),
        Effect.tap(() => Effect.logInfo("lead delivered to the CRM")),
        Effect.catchAll((error) =>
          Effect.logWarning(logLine(error)).pipe(
            Effect.zipRight(Metric.increment(crmErrorsOf(lead.profile, metricKind(error)))),
            Effect.zipRight(posts.postFallback(lead, error)),
            Effect.tap(() => Effect.logWarning("fallback: lead sent to the admin chat for manual entry")),
            Effect.tap(() => failedRound(lead.id, crmAttemptOf(error), Option.none())),
            Effect.tapErrorTag("TelegramError", (e) =>
              Effect.logError(
                `fallback failed too, the lead stays pending and will be retried: ${rooms.of(lead.profile).explain(e)}`
              )
                .pipe(
                  Effect.zipRight(failedRound(lead.id, crmAttemptOf(error), Option.some(adminAttemptOf(e))))
                ))
          )
        )
      )

    /**
     * The outcome, and (a fallback) that its message concerns the person: a manager's reply to it reaches them. A
     * lead gone meanwhile (its person was forgotten while the attempt was under way): what it posted is cleaned and
     * the managers are told, instead.
     */
    const stored = (lead: Lead, outcome: Outcome) =>
      Effect.gen(function*() {
        const chatId = rooms.of(lead.profile).chat.id
        if (yield* leads.setOutcome(lead.id, outcome)) {
          if (outcome._tag === "Fallback") {
            yield* whom.record(chatId, lead.contact.telegramId, [outcome.messageId])
            yield* reminders.schedule(lead)
          }
          return
        }
        yield* Effect.logWarning("the lead's person was forgotten while it was delivered: what it posted is cleaned")
        yield* erasures.queue({
          id: yield* nextId,
          by: "delivery",
          createdAt: yield* Clock.currentTimeMillis,
          steps: lateSteps({ lead }, outcome, chatId)
        })
      })

    const delivered = (lead: Lead, outcome: Outcome) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        Effect.all([
          Metric.increment(deliveredOf(lead.profile, outcomeKinds[outcome._tag])),
          Metric.update(deliverySeconds, Math.max(0, now - lead.createdAt) / 1000)
        ], { discard: true })
      ))

    // The outcome is written within the attempt, so that a shutdown waits for it too: a lead a human has, but the
    // store does not know of, would reach them again after the restart (or from another replica). So it is written
    // promptly: on SQLite in the next group commit (a burst's outcomes share one fsync), on PostgreSQL at once in a
    // transaction of its own, not behind a group of other units.
    /** One try at reaching a human; its outcome, stored. Fails when nobody could be reached (retried later). */
    const deliver = (lead: Lead) =>
      attempts.one(tryOnce(lead).pipe(Effect.tap((outcome) => promptly(stored(lead, outcome))))).pipe(
        Effect.tap((outcome) => delivered(lead, outcome))
      )

    return { deliver } as const
  }),
  dependencies: [
    ManagersPosts.Default,
    ManagersRooms.Default,
    Attempts.Default,
    WhomItConcerns.Default,
    ReminderClock.Default
  ]
}) {}
