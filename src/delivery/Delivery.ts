import { Clock, Effect, FiberSet, Metric, Option } from "effect"

import { AdminChat } from "../admin/AdminChat.js"
import { makeKeyedLock } from "../concurrency/KeyedLock.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { CrmClient } from "../crm/CrmClient.js"
import { CrmClientError, logLine, metricKind } from "../crm/CrmError.js"
import { crmPayload } from "../crm/CrmPayload.js"
import type { Handled, Lead, Outcome } from "../lead/Lead.js"
import { crmErrors, deliverySeconds, leadsDelivered } from "../metrics/metrics.js"
import { Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { isChatGone } from "../telegram/TelegramError.js"
import { deliveryBackoff } from "./backoff.js"

/** How long shutdown waits for attempts under way before it interrupts them (their leads stay pending). */
const SHUTDOWN_GRACE = "10 seconds"
const MAX_ATTEMPTS_AT_ONCE = 1_000_000

/**
 * The background worker: a recorded lead goes to the CRM; on any CrmError to the admin chat; if that fails
 * too it stays pending and is retried with backoff. Follow-ups are applied after their lead's outcome is known.
 */
export class Delivery extends Effect.Service<Delivery>()("Delivery", {
  scoped: Effect.gen(function*() {
    const crm = yield* CrmClient
    const admin = yield* AdminChat
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const profiles = yield* Profiles
    const { atomically } = yield* Transactor
    const { yieldToPeople } = yield* PeopleFirst
    const withLeadLock = yield* makeKeyedLock()
    const fibers = yield* FiberSet.make()
    // Each attempt at the CRM / admin chat holds one permit; shutdown takes them all, so it waits for attempts
    // under way but not for deliveries asleep in backoff.
    const attempts = yield* Effect.makeSemaphore(MAX_ATTEMPTS_AT_ONCE)
    const anAttempt = attempts.withPermits(1)

    const failedAttempt = (leadId: string, error: string) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.recordAttempt(leadId, { at, error })))

    const sendToCrm = (lead: Lead) =>
      Option.match(Option.flatMap(profiles.get(lead.profile), (p) => p.webhookUrl), {
        onNone: () => Effect.fail(new CrmClientError({ detail: "no CRM webhook URL is configured for this brand" })),
        onSome: (url) => crm.send(url, crmPayload(lead))
      })

    /** One try at reaching a human. Fails only when the admin chat failed too. */
    const reachHuman = (lead: Lead) =>
      sendToCrm(lead).pipe(
        Effect.as<Outcome>({ _tag: "Crm" }),
        Effect.tap(() => Effect.logInfo("lead delivered to the CRM")),
        Effect.catchAll((error) =>
          Effect.logWarning(logLine(error)).pipe(
            Effect.zipRight(
              Metric.increment(
                Metric.tagged(Metric.tagged(crmErrors, "brand", lead.profile), "kind", metricKind(error))
              )
            ),
            Effect.zipRight(failedAttempt(lead.id, error._tag)),
            Effect.zipRight(admin.postFallback(lead, error)),
            Effect.tap(() => Effect.logWarning("fallback: lead sent to the admin chat for manual entry"))
          )
        ),
        Effect.tapErrorTag("TelegramError", (e) =>
          Effect.logError(`fallback failed too, the lead stays pending and will be retried: ${admin.explain(e)}`).pipe(
            Effect.zipRight(failedAttempt(lead.id, `TelegramError ${e.code ?? "network"}`))
          ))
      )

    // The outcome is written within the attempt, so that a shutdown waits for it too: a lead a human has, but the
    // store does not know of, would reach them again after the restart. Through the transactor: a burst's outcomes
    // share one commit (one fsync). Only a failure to reach anyone is retried; the store failing is not (that would
    // send the lead again).
    const deliver = (lead: Lead) =>
      anAttempt(reachHuman(lead).pipe(Effect.tap((outcome) => atomically(leads.setOutcome(lead.id, outcome))))).pipe(
        Effect.retry({ schedule: deliveryBackoff, while: (e) => e._tag === "TelegramError" }),
        Effect.tap((outcome) => delivered(lead, outcome))
      )

    const delivered = (lead: Lead, outcome: Outcome) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        Effect.all([
          Metric.increment(
            Metric.tagged(
              Metric.tagged(leadsDelivered, "brand", lead.profile),
              "via",
              outcome._tag === "Crm" ? "crm" : "fallback"
            )
          ),
          Metric.update(deliverySeconds, Math.max(0, now - lead.createdAt) / 1000)
        ], { discard: true })
      ))

    const flushFollowUps = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      Effect.gen(function*() {
        for (const followUp of yield* followUps.queued(lead.id)) {
          const edited = yield* followUps.appliedByEdit(lead.id)
          const via = yield* anAttempt(admin.applyFollowUp(lead, outcome, followUp, edited, handled)).pipe(
            Effect.tapError((e) =>
              isChatGone(e)
                ? Effect.logError(`follow-up not delivered yet, retrying: ${admin.explain(e)}`)
                : Effect.logWarning(`follow-up not delivered yet, retrying: ${e.message}`)
            ),
            Effect.retry(deliveryBackoff)
          )
          yield* followUps.markApplied(lead.id, followUp.seq, via)
          yield* Effect.logInfo(`follow-up ${followUp.seq} applied (${via})`)
        }
      })

    const process = Effect.fn("Delivery.process")(function*(leadId: string) {
      yield* Effect.annotateCurrentSpan("leadId", leadId)
      const record = yield* leads.get(leadId)
      if (Option.isNone(record)) return yield* Effect.logError(`lead ${leadId} is not in the store`)
      const { handled, lead, outcome } = record.value
      const known = Option.isSome(outcome) ? outcome.value : yield* deliver(lead)
      yield* flushFollowUps(lead, known, handled)
    }, (effect, leadId) => withLeadLock(leadId, effect.pipe(Effect.annotateLogs({ lead: leadId }))))

    /**
     * Runs `work` in the background and returns at once. It stays interruptible (shutdown ends its backoff)
     * even when started from an uninterruptible region.
     */
    const inBackground = (what: string, work: Effect.Effect<unknown, unknown>) =>
      FiberSet.run(
        fibers,
        work.pipe(Effect.catchAllCause((cause) => Effect.logError(`${what} failed`, cause)), Effect.interruptible)
      ).pipe(
        Effect.asVoid
      )

    /** Starts (or continues) a lead's delivery once people waiting for an answer have it; returns at once. */
    const schedule = (leadId: string) => inBackground("delivery", yieldToPeople.pipe(Effect.zipRight(process(leadId))))

    /** Shows a manager's mark on the fallback message, under the lead's lock (never amid a follow-up's edit). */
    const showHandled = (leadId: string) =>
      withLeadLock(
        leadId,
        Effect.gen(function*() {
          const record = yield* leads.get(leadId)
          if (Option.isNone(record)) return
          const { lead, outcome, handled } = record.value
          if (Option.isNone(outcome) || outcome.value._tag !== "Fallback" || Option.isNone(handled)) return
          yield* anAttempt(
            admin.showHandled(lead, outcome.value, yield* followUps.appliedByEdit(leadId), handled.value)
          )
        })
      ).pipe(
        Effect.tapError((e) => Effect.logWarning(`handled mark saved, message not updated yet: ${e.message}`)),
        Effect.retry(deliveryBackoff),
        Effect.annotateLogs({ lead: leadId })
      )

    /**
     * A manager pressed "✅ Внесено в CRM": the mark is stored at once (so the tap can be answered at once) and
     * shown on the message in the background. `false` when there is nothing to mark or it already was.
     */
    const markHandled = (leadId: string, by: string) =>
      Effect.gen(function*() {
        const record = yield* leads.get(leadId)
        const outcome = Option.flatMap(record, (r) => r.outcome)
        if (Option.isNone(outcome) || outcome.value._tag !== "Fallback") return false
        const handled: Handled = { by, at: yield* Clock.currentTimeMillis }
        if (!(yield* leads.markHandled(leadId, handled))) return false
        yield* Effect.logInfo(`lead marked as entered by hand by ${by}`).pipe(Effect.annotateLogs({ lead: leadId }))
        yield* inBackground("showing the handled mark", showHandled(leadId))
        return true
      })

    // What a previous run recorded but did not finish (durable stores) is picked up at start: leads that
    // reached no human, and follow-ups not yet shown to the managers.
    const unfinished = new Set([
      ...(yield* leads.undelivered).map((r) => r.lead.id),
      ...(yield* followUps.leadsWithQueued)
    ])
    for (const leadId of unfinished) yield* schedule(leadId)

    // Finalizers run uninterruptibly: the wait itself is made interruptible so that the timeout can end it.
    yield* Effect.addFinalizer(() =>
      attempts.withPermits(MAX_ATTEMPTS_AT_ONCE)(Effect.void).pipe(
        Effect.interruptible,
        Effect.timeout(SHUTDOWN_GRACE),
        Effect.tapError(() =>
          Effect.logWarning("shutdown: attempts still under way were interrupted; their leads stay pending")
        ),
        Effect.ignore,
        Effect.zipRight(Effect.logInfo("delivery stopped"))
      )
    )

    return { schedule, markHandled, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  }),
  dependencies: [AdminChat.Default, PeopleFirst.Default]
}) {}
