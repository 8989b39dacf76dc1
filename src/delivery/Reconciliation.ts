import { Clock, Duration, Effect, Either, Metric, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeDueWorker } from "../concurrency/DueWorker.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import type { EarlyFollowUp } from "../crm/Crm.js"
import { isCrmError, logLine } from "../crm/CrmError.js"
import { crmName, crmOrigin, type CrmTarget } from "../crm/CrmTarget.js"
import { makeOriginLimiters, type RequestRate } from "../crm/http/OriginLimiter.js"
import type { FollowUp, LeadRecord } from "../lead/Lead.js"
import { mediaLabel } from "../managers/views/render.js"
import { leadsReconciled } from "../metrics/metrics.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { ToCrm } from "./ToCrm.js"

/**
 * Reconciliation's pace in each process, per CRM origin: at most 5 leads a second to a webhook, and half of a native
 * CRM's budget (CrmLive's CRM_RATES), so that new leads, which share that budget, still go first.
 */
const PACE: Record<CrmTarget["_tag"], RequestRate> = {
  Webhook: { requests: 5, perMillis: 1_000 },
  AmoCrm: { requests: 3, perMillis: 1_100 },
  Bitrix24: { requests: 1, perMillis: 1_100 }
}
/** Leads taken up each second at most, per process: a CRM back after an outage gets the backlog at a pace. */
const BATCH = PACE.Webhook.requests

/** A follow-up as it goes with its lead: its text, or for media without a caption what it was (`[фото]`). */
const earlyOf = ({ at, followUp }: { readonly followUp: FollowUp; readonly at: number }): EarlyFollowUp => ({
  text: followUp.text !== "" ? followUp.text : Option.match(followUp.media, {
    onNone: () => "",
    onSome: (media) => `[${mediaLabel[media]}]`
  }),
  at
})

/**
 * Every lead ends up in its CRM: a lead that fell back to the managers' chat is offered to its brand's CRM again in
 * the background (the delivery backoff, oldest first, at a pace) for CRM_RECONCILE_HOURS from its tap, until the CRM
 * takes it or a manager presses "✅ Внесено в CRM". What the person sent meanwhile goes with it (the phone too). A
 * press while an attempt is on its way wins: a failure is then dropped; a success is recorded all the same (the
 * message then says both, so a duplicate is never silent). Delivery edits the message (the lead is due once the CRM
 * has it).
 */
export class Reconciliation extends Effect.Service<Reconciliation>()("Reconciliation", {
  scoped: Effect.gen(function*() {
    const toCrm = yield* ToCrm
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const attempts = yield* Attempts
    const { atomically, promptly } = yield* Transactor
    const { crmReconcileHours, deliveryLeaseSeconds } = yield* AppConfig
    const pace = {
      Webhook: yield* makeOriginLimiters(PACE.Webhook),
      AmoCrm: yield* makeOriginLimiters(PACE.AmoCrm),
      Bitrix24: yield* makeOriginLimiters(PACE.Bitrix24)
    }
    const window = Duration.toMillis(Duration.hours(crmReconcileHours))

    /** Nothing more to reconcile (the reason said once, when there is one). */
    const over = (leadId: string, why?: string) =>
      (why === undefined ? Effect.void : Effect.logWarning(why)).pipe(
        Effect.zipRight(promptly(leads.reconcileLater(leadId, Option.none())))
      )

    /** One try; the CRM's taking it is recorded in one unit with where it is there and its first notes. */
    const attempt = (record: LeadRecord, target: CrmTarget) =>
      Effect.gen(function*() {
        const { crm, lead, reconcile } = record
        const early = (yield* followUps.allOf(lead.id)).filter(({ followUp }) => !followUp.phone).map(earlyOf)
        const limiter = pace[target._tag].of(crmOrigin(target))
        const result = yield* limiter.run(attempts.one(toCrm.send(lead, crm.maybeThere, { followUps: early }))).pipe(
          Effect.either
        )
        const now = yield* Clock.currentTimeMillis
        if (Either.isLeft(result)) {
          const e = result.left
          yield* Effect.logWarning(
            `${crmName(target)} of ${lead.profile} still does not take the fallback lead, will retry: ${
              isCrmError(e) ? logLine(e) : e.message
            }`
          )
          return yield* promptly(
            leads.reconcileLater(lead.id, Option.some(now + (yield* retryDelayMillis(reconcile.retries))))
          )
        }
        const won = yield* atomically(
          leads.reconciled(lead.id, now).pipe(
            Effect.tap((first) => (first ? toCrm.record(lead, result.right, { followUps: early }) : Effect.void))
          )
        )
        if (!won) return
        yield* Metric.increment(Metric.tagged(leadsReconciled, "brand", lead.profile))
        yield* Effect.logInfo(`the fallback lead reached ${crmName(target)} of ${lead.profile} (reconciliation)`)
      })

    const process = Effect.fn("Reconciliation.process")(function*(leadId: string) {
      const found = yield* leads.get(leadId)
      if (Option.isNone(found)) return
      const record = found.value
      const { handled, lead, outcome, reconcile } = record
      const now = yield* Clock.currentTimeMillis
      if (Option.isNone(reconcile.dueAt) || reconcile.dueAt.value > now) return
      if (Option.isSome(handled) || Option.isSome(reconcile.reconciledAt) || Option.isNone(outcome)) {
        return yield* over(leadId)
      }
      if (now - lead.createdAt >= window) {
        return yield* over(
          leadId,
          `the fallback lead is still not in its CRM after ${crmReconcileHours} h: left to the managers`
        )
      }
      const target = yield* toCrm.targetOf(lead).pipe(Effect.option)
      if (Option.isNone(target)) return yield* over(leadId, "the brand has no CRM any more: left to the managers")
      yield* attempt(record, target.value)
    }, (effect, leadId) =>
      effect.pipe(
        Effect.catchAll((e) => Effect.logWarning(`reconciliation paused: ${e.message}`)),
        Effect.annotateLogs({ lead: leadId })
      ))

    const worker = yield* makeDueWorker({
      kind: "reconcile",
      leaseMillis: deliveryLeaseSeconds * 1000,
      // With CRM_RECONCILE_HOURS=0 nothing is ever due: fallbacks are not offered again.
      due: crmReconcileHours === 0 ? () => Effect.succeed([]) : leads.reconcileDue,
      process,
      batch: BATCH,
      beforeStop: attempts.drain
    })
    return { awaitIdle: worker.awaitIdle } as const
  }),
  dependencies: [Attempts.Default, PeopleFirst.Default, ToCrm.Default]
}) {}
