import { Clock, Effect, FiberSet, Option } from "effect"
import { AdminChat } from "../admin/AdminChat.js"
import { CrmClient } from "../crm/CrmClient.js"
import { CrmClientError, logLine } from "../crm/CrmError.js"
import { crmPayload } from "../crm/CrmPayload.js"
import type { Lead, Outcome } from "../lead/Lead.js"
import { Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { type Handled, LeadStore } from "../store/LeadStore.js"
import { deliveryBackoff } from "./backoff.js"
import { makeKeyedLock } from "./KeyedLock.js"

/** How long shutdown waits for deliveries under way before it interrupts them (they stay pending). */
const SHUTDOWN_GRACE = "10 seconds"

/**
 * The background worker: a recorded lead goes to the CRM; on any CrmError to the admin chat; if that fails
 * too it stays pending and is retried with backoff. Follow-ups are applied after their lead's outcome is known.
 */
export class Delivery extends Effect.Service<Delivery>()("Delivery", {
  scoped: Effect.gen(function* () {
    const crm = yield* CrmClient
    const admin = yield* AdminChat
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const profiles = yield* Profiles
    const withLeadLock = yield* makeKeyedLock
    const fibers = yield* FiberSet.make()

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
            Effect.zipRight(failedAttempt(lead.id, error._tag)),
            Effect.zipRight(admin.postFallback(lead, error)),
            Effect.tap(() => Effect.logWarning("fallback: lead sent to the admin chat for manual entry"))
          )
        ),
        Effect.tapErrorTag("TelegramError", (e) =>
          Effect.logError(`fallback failed too, the lead stays pending and will be retried: ${e.message}`).pipe(
            Effect.zipRight(failedAttempt(lead.id, `TelegramError ${e.code ?? "network"}`))
          ))
      )

    const deliver = (lead: Lead) =>
      reachHuman(lead).pipe(
        Effect.retry(deliveryBackoff),
        Effect.tap((outcome) => leads.setOutcome(lead.id, outcome))
      )

    const flushFollowUps = (lead: Lead, outcome: Outcome, handled: Option.Option<Handled>) =>
      Effect.gen(function* () {
        for (const followUp of yield* followUps.queued(lead.id)) {
          const edited = yield* followUps.appliedByEdit(lead.id)
          const via = yield* admin.applyFollowUp(lead, outcome, followUp, edited, handled).pipe(
            Effect.tapError((e) => Effect.logWarning(`follow-up not delivered yet, retrying: ${e.message}`)),
            Effect.retry(deliveryBackoff)
          )
          yield* followUps.markApplied(lead.id, followUp.seq, via)
          yield* Effect.logInfo(`follow-up ${followUp.seq} applied (${via})`)
        }
      })

    const process = (leadId: string) =>
      withLeadLock(
        leadId,
        Effect.gen(function* () {
          const record = yield* leads.get(leadId)
          if (Option.isNone(record)) return yield* Effect.logError(`lead ${leadId} is not in the store`)
          const { lead, outcome, handled } = record.value
          const known = Option.isSome(outcome) ? outcome.value : yield* deliver(lead)
          yield* flushFollowUps(lead, known, handled)
        }).pipe(Effect.annotateLogs({ lead: leadId }), Effect.withSpan("Delivery.process", { attributes: { leadId } }))
      )

    /** Starts (or continues) a lead's delivery in the background; returns at once. */
    const schedule = (leadId: string) =>
      FiberSet.run(fibers, process(leadId).pipe(Effect.catchAllCause((cause) => Effect.logError("delivery failed", cause)))).pipe(
        Effect.asVoid
      )

    /**
     * A manager pressed "✅ Внесено в CRM": record who and when, then show it on the message. Under the lead's
     * lock, so it never interleaves with a follow-up's edit. `false` when the lead was already marked.
     */
    const markHandled = (leadId: string, by: string) =>
      withLeadLock(
        leadId,
        Effect.gen(function* () {
          const record = yield* leads.get(leadId)
          if (Option.isNone(record)) return false
          const { lead, outcome } = record.value
          if (Option.isNone(outcome) || outcome.value._tag !== "Fallback") return false
          const handled: Handled = { by, at: yield* Clock.currentTimeMillis }
          if (!(yield* leads.markHandled(leadId, handled))) return false
          yield* Effect.logInfo(`lead marked as entered by hand by ${by}`)
          yield* admin.showHandled(lead, outcome.value, yield* followUps.appliedByEdit(leadId), handled).pipe(
            Effect.catchAll((e) => Effect.logWarning(`handled mark saved, message not updated: ${e.message}`))
          )
          return true
        }).pipe(Effect.annotateLogs({ lead: leadId }))
      )

    // Leads a previous run recorded but did not deliver (durable stores) are picked up at start.
    for (const { lead } of yield* leads.undelivered) yield* schedule(lead.id)

    yield* Effect.addFinalizer(() =>
      FiberSet.size(fibers).pipe(
        Effect.flatMap((inFlight) =>
          inFlight === 0 ? Effect.void : Effect.logInfo(`shutting down: waiting for ${inFlight} deliveries`).pipe(
            Effect.zipRight(FiberSet.awaitEmpty(fibers).pipe(Effect.timeout(SHUTDOWN_GRACE), Effect.ignore))
          )
        )
      ))

    return { schedule, markHandled, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  })
}) {}

