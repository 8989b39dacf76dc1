import { Clock, Effect, FiberSet, Metric, Option, Schedule } from "effect"

import { AdminChat } from "../admin/AdminChat.js"
import { makeLeasedWork } from "../concurrency/LeasedWork.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { CrmClient } from "../crm/CrmClient.js"
import { CrmClientError, logLine, metricKind } from "../crm/CrmError.js"
import { crmPayload } from "../crm/CrmPayload.js"
import type { Handled, Lead, LeadRecord, Outcome } from "../lead/Lead.js"
import { crmErrors, deliverySeconds, labelled, leadsDelivered } from "../metrics/metrics.js"
import { Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { isChatGone } from "../telegram/TelegramError.js"
import { retryDelayMillis } from "./backoff.js"

const crmErrorsOf = labelled(crmErrors, "brand", "kind")
const deliveredOf = labelled(leadsDelivered, "brand", "via")

/** How long shutdown waits for attempts under way before it interrupts them (their leads stay pending). */
const SHUTDOWN_GRACE = "10 seconds"
const MAX_ATTEMPTS_AT_ONCE = 1_000_000
/** How often the store is asked for leads due that nobody works on (retries whose time came), and how many. */
const DUE_EVERY = "1 second"
const DUE_BATCH = 100

/**
 * The background worker: a recorded lead goes to the CRM; on any CrmError to the admin chat; if that fails
 * too it stays pending and is retried with backoff. Follow-ups are applied after their lead's outcome is known.
 * A lead is worked on by one process at a time (it holds the lead's lease): the one that recorded it, or, when an
 * attempt failed or that one died, whichever finds it due first.
 */
export class Delivery extends Effect.Service<Delivery>()("Delivery", {
  scoped: Effect.gen(function*() {
    const crm = yield* CrmClient
    const admin = yield* AdminChat
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const profiles = yield* Profiles
    const { atomically, promptly } = yield* Transactor
    const { yieldToPeople } = yield* PeopleFirst
    const work = yield* makeLeasedWork("lead", (yield* AppConfig).deliveryLeaseSeconds * 1000)
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
              Metric.increment(crmErrorsOf(lead.profile, metricKind(error)))
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
    // store does not know of, would reach them again after the restart (or from another replica). So it is written
    // promptly: on SQLite in the next group commit (a burst's outcomes share one fsync), on PostgreSQL at once in a
    // transaction of its own, not behind a group of other units. A failure to reach anyone is retried later.
    const deliver = (lead: Lead) =>
      anAttempt(reachHuman(lead).pipe(Effect.tap((outcome) => promptly(leads.setOutcome(lead.id, outcome))))).pipe(
        Effect.tap((outcome) => delivered(lead, outcome))
      )

    const delivered = (lead: Lead, outcome: Outcome) =>
      Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
        Effect.all([
          Metric.increment(deliveredOf(lead.profile, outcome._tag === "Crm" ? "crm" : "fallback")),
          Metric.update(deliverySeconds, Math.max(0, now - lead.createdAt) / 1000)
        ], { discard: true })
      ))

    /** One try at applying the lead's queued follow-ups, in order; stops at the first that fails. */
    const applyFollowUps = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      Effect.gen(function*() {
        for (const followUp of yield* followUps.queued(lead.id)) {
          const edited = yield* followUps.appliedByEdit(lead.id)
          const via = yield* anAttempt(admin.applyFollowUp(lead, outcome, followUp, edited, handled)).pipe(
            Effect.tapError((e) =>
              isChatGone(e)
                ? Effect.logError(`follow-up not delivered yet, will retry: ${admin.explain(e)}`)
                : Effect.logWarning(`follow-up not delivered yet, will retry: ${e.message}`)
            )
          )
          yield* followUps.markApplied(lead.id, followUp.seq, via)
          yield* Effect.logInfo(`follow-up ${followUp.seq} applied (${via})`)
        }
      })

    /** Shows a manager's mark on the fallback message, once. */
    const showHandled = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      outcome._tag !== "Fallback" || Option.isNone(handled) ? Effect.void : Effect.gen(function*() {
        yield* anAttempt(admin.showHandled(lead, outcome, yield* followUps.appliedByEdit(lead.id), handled.value))
        yield* leads.markHandledShown(lead.id)
      }).pipe(Effect.tapError((e) => Effect.logWarning(`handled mark saved, message not updated yet: ${e.message}`)))

    /** Everything the lead still needs, in order: a human, then its follow-ups, then the manager's mark. */
    const workOn = ({ handled, handledShown, lead, outcome, work: { wakes } }: LeadRecord) =>
      Effect.gen(function*() {
        const known = Option.isSome(outcome) ? outcome.value : yield* deliver(lead)
        // A follow-up is added with a wake, in one unit: a lead never woken has none (one added since is found
        // when settling fails).
        if (wakes > 0) yield* applyFollowUps(lead, known, handled)
        if (!handledShown) yield* showHandled(lead, known, handled)
      })

    /**
     * Works on a lead this process holds while it is due: until nothing is left (and no work came meanwhile), or an
     * attempt fails (the store then keeps when to try again, for whichever process is free then).
     */
    const process = Effect.fn("Delivery.process")(function*(leadId: string) {
      yield* Effect.annotateCurrentSpan("leadId", leadId)
      while (true) {
        const record = yield* leads.get(leadId)
        if (Option.isNone(record)) return yield* Effect.logError(`lead ${leadId} is not in the store`)
        const { dueAt, retries, wakes } = record.value.work
        if (Option.isNone(dueAt) || dueAt.value > (yield* Clock.currentTimeMillis)) return
        const failed = yield* workOn(record.value).pipe(
          Effect.as(false),
          Effect.catchAll((e) =>
            (e._tag === "StoreError" ? Effect.logWarning(`delivery paused: ${e.message}`) : Effect.void).pipe(
              Effect.as(true)
            )
          )
        )
        if (failed) {
          const at = (yield* Clock.currentTimeMillis) + (yield* retryDelayMillis(retries))
          return yield* atomically(leads.retryLater(leadId, at))
        }
        if (yield* atomically(leads.settle(leadId, wakes))) return
      }
    }, (effect, leadId) => work.run(leadId, effect).pipe(Effect.annotateLogs({ lead: leadId })))

    /** Works on the leads this process could claim, each in the background. */
    const claimAndProcess = (leadIds: ReadonlyArray<string>) =>
      work.claim(leadIds).pipe(
        Effect.flatMap((claimed) => Effect.forEach(claimed, (leadId) => inBackground("delivery", process(leadId)))),
        Effect.asVoid
      )

    /**
     * Runs `work` in the background and returns at once. It stays interruptible (shutdown ends it between attempts)
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
    const schedule = (leadId: string) =>
      inBackground(
        "delivery",
        yieldToPeople.pipe(
          Effect.zipRight(work.claim([leadId])),
          Effect.flatMap((claimed) => (claimed.length === 0 ? Effect.void : process(leadId)))
        )
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
        if (!(yield* atomically(leads.markHandled(leadId, handled)))) return false
        yield* Effect.logInfo(`lead marked as entered by hand by ${by}`).pipe(Effect.annotateLogs({ lead: leadId }))
        yield* schedule(leadId)
        return true
      })

    // Leads due that nobody works on: what a previous run left, retries whose time came, and on a shared store
    // a dead replica's.
    const takeDue = Effect.gen(function*() {
      yield* yieldToPeople
      const due = yield* leads.due(yield* Clock.currentTimeMillis, DUE_BATCH)
      yield* claimAndProcess(due.filter((leadId) => !work.holds(leadId)))
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for leads due: ${e.message}`)))
    yield* takeDue.pipe(Effect.repeat(Schedule.spaced(DUE_EVERY)), Effect.interruptible, Effect.forkScoped)

    // Finalizers run uninterruptibly: the wait itself is made interruptible so that the timeout can end it. Then
    // the leases are let go (makeLeasedWork), so that other replicas go on at once.
    yield* Effect.addFinalizer(() =>
      attempts.withPermits(MAX_ATTEMPTS_AT_ONCE)(Effect.void).pipe(
        Effect.interruptible,
        Effect.timeout(SHUTDOWN_GRACE),
        Effect.tapError(() =>
          Effect.logWarning("shutdown: attempts still under way were interrupted; their leads stay pending")
        ),
        Effect.ignore,
        Effect.zipRight(FiberSet.clear(fibers)),
        Effect.zipRight(Effect.logInfo("delivery stopped"))
      )
    )

    return { schedule, markHandled, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  }),
  dependencies: [AdminChat.Default, PeopleFirst.Default]
}) {}
