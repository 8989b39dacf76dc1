import { Clock, Effect, Metric, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { AppConfig } from "../config/AppConfig.js"
import { isCrmError, logLine, metricKind } from "../crm/CrmError.js"
import { brandCrmKind, crmName } from "../crm/CrmTarget.js"
import { nextId } from "../lead/Ids.js"
import { type Lead, type LeadRecord, type Outcome, outcomeKinds } from "../lead/Lead.js"
import { ManagersPosts } from "../managers/post/ManagersPosts.js"
import { ReminderClock } from "../managers/reminders/ReminderClock.js"
import { ManagersRooms } from "../managers/room/ManagersRooms.js"
import { adminAttemptOf, crmAttemptOf } from "../managers/views/attemptWording.js"
import { crmErrorsOf, deliveredOf, deliverySeconds } from "../metrics/metrics.js"
import { lateSteps } from "../privacy/erasureSteps.js"
import { Profiles } from "../profiles/Profiles.js"
import { WhomItConcerns } from "../relay/WhomItConcerns.js"
import { Erasures } from "../store/Erasures.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { type Sent, ToCrm } from "./ToCrm.js"

/**
 * A lead reaches a human: the brand's CRM, or on any CrmError the managers' chat (the fallback). Each failure is
 * kept as an attempt; the outcome is stored once somebody has the lead.
 */
export class ReachHuman extends Effect.Service<ReachHuman>()("ReachHuman", {
  effect: Effect.gen(function*() {
    const toCrm = yield* ToCrm
    const posts = yield* ManagersPosts
    const rooms = yield* ManagersRooms
    const leads = yield* LeadStore
    const profiles = yield* Profiles
    const { promptly } = yield* Transactor
    const attempts = yield* Attempts
    const whom = yield* WhomItConcerns
    const erasures = yield* Erasures
    const reminders = yield* ReminderClock
    const { crmReconcileHours } = yield* AppConfig

    /** One round that the CRM failed, kept as one attempt with both errors when the fallback failed too. */
    const failedRound = (leadId: string, error: string, adminError: Option.Option<string>) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.recordAttempt(leadId, { at, error, adminError })))

    /** The brand's kind of CRM, as the metrics label it. */
    const crmOf = (lead: Lead) => Option.flatMap(profiles.get(lead.profile), (p) => p.crm)
    const crmKind = (lead: Lead) => brandCrmKind(crmOf(lead))
    /** `amoCRM of agency`: which CRM failed, for the operator (a client error is theirs to fix). */
    const whichCrm = (lead: Lead) =>
      `${Option.match(crmOf(lead), { onNone: () => "no CRM", onSome: crmName })} of ${lead.profile}`

    /**
     * One try: the CRM (asked first whether it has the lead, when an attempt may have reached it), else on any
     * CrmError the managers' chat. Fails only when the managers' chat failed too.
     */
    const tryOnce = ({ crm, lead }: LeadRecord) =>
      toCrm.send(lead, crm.maybeThere).pipe(
        Effect.map((sent) => ({ outcome: { _tag: "Crm" } as Outcome, sent: Option.some(sent) })),
        Effect.tap(() => Effect.logInfo("lead delivered to the CRM")),
        Effect.catchIf(isCrmError, (error) =>
          Effect.logWarning(`${whichCrm(lead)}: ${logLine(error)}`).pipe(
            Effect.zipRight(Metric.increment(crmErrorsOf(lead.profile, metricKind(error), crmKind(lead)))),
            Effect.zipRight(posts.postFallback(lead, error)),
            Effect.map((outcome) => ({ outcome: outcome as Outcome, sent: Option.none<Sent>() })),
            Effect.tap(() => Effect.logWarning("fallback: lead sent to the admin chat for manual entry")),
            Effect.tap(() => failedRound(lead.id, crmAttemptOf(error), Option.none())),
            Effect.tapErrorTag("TelegramError", (e) =>
              Effect.logError(
                `fallback failed too, the lead stays pending and will be retried: ${rooms.of(lead.profile).explain(e)}`
              )
                .pipe(
                  Effect.zipRight(failedRound(lead.id, crmAttemptOf(error), Option.some(adminAttemptOf(e))))
                ))
          ))
      )

    /**
     * The outcome, and (a fallback) that its message concerns the person: a manager's reply to it reaches them. A
     * lead gone meanwhile (its person was forgotten while the attempt was under way): what it posted is cleaned and
     * the managers are told, instead.
     */
    const stored = (lead: Lead, outcome: Outcome, sent: Option.Option<Sent>) =>
      Effect.gen(function*() {
        const chatId = rooms.of(lead.profile).chat.id
        if (yield* leads.setOutcome(lead.id, outcome)) {
          if (Option.isSome(sent)) yield* toCrm.record(lead, sent.value)
          if (outcome._tag === "Fallback") {
            yield* whom.record(chatId, lead, [outcome.messageId])
            yield* reminders.schedule(lead)
            // Offered to its CRM again (Reconciliation), from the first step of the backoff on.
            if (crmReconcileHours > 0 && Option.isSome(crmOf(lead))) {
              yield* leads.awaitCrm(lead.id, (yield* Clock.currentTimeMillis) + (yield* retryDelayMillis(0)))
            }
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
          Metric.increment(deliveredOf(lead.profile, outcomeKinds[outcome._tag], crmKind(lead))),
          Metric.update(deliverySeconds, Math.max(0, now - lead.createdAt) / 1000)
        ], { discard: true })
      ))

    // The outcome is written within the attempt, so that a shutdown waits for it too: a lead a human has, but the
    // store does not know of, would reach them again after the restart (or from another replica). So it is written
    // promptly: on SQLite in the next group commit (a burst's outcomes share one fsync), on PostgreSQL at once in a
    // transaction of its own, not behind a group of other units.
    /** One try at reaching a human; its outcome, stored. Fails when nobody could be reached (retried later). */
    const deliver = (record: LeadRecord) =>
      attempts.one(
        tryOnce(record).pipe(Effect.tap(({ outcome, sent }) => promptly(stored(record.lead, outcome, sent))))
      ).pipe(
        Effect.map(({ outcome }) => outcome),
        Effect.tap((outcome) => delivered(record.lead, outcome))
      )

    return { deliver } as const
  }),
  dependencies: [
    ManagersPosts.Default,
    ManagersRooms.Default,
    Attempts.Default,
    WhomItConcerns.Default,
    ReminderClock.Default,
    ToCrm.Default
  ]
}) {}
