import { Clock, Effect, Option } from "effect"

import { Crm, type LeadExtras } from "../crm/Crm.js"
import { CrmClientError, type CrmError, isCrmError, mayHaveReachedCrm } from "../crm/CrmError.js"
import { type CrmTarget, takesNotes } from "../crm/CrmTarget.js"
import { leadNotes } from "../crm/leadNotes.js"
import type { CrmRef } from "../lead/CrmRef.js"
import { describeRef } from "../lead/CrmRef.js"
import type { Lead } from "../lead/Lead.js"
import { Profiles } from "../profiles/Profiles.js"
import { CrmNotes } from "../store/CrmNotes.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"

/** How long after a lost answer the CRM is asked whether it made the lead (it may still have been at it). */
const SEARCH_AFTER_LOST_ANSWER = "1 second"

/** Where the CRM put a lead, and which CRM it is. */
export interface Sent {
  readonly ref: CrmRef
  readonly target: CrmTarget
  /** The phone the lead went with (its first note says it too). */
  readonly phone: Option.Option<string>
}

/**
 * A lead to its brand's CRM, exactly once where the CRM has no idempotency key (amoCRM, Bitrix24): before a native
 * CRM is sent a lead, the lead is marked "may be there", so that the next attempt (after a failure that may have
 * reached it, or a process killed mid-request) first asks the CRM whether it has it, and takes that lead if so. A
 * webhook gets `Idempotency-Key` and the same `lead_id` instead.
 */
export class ToCrm extends Effect.Service<ToCrm>()("ToCrm", {
  effect: Effect.gen(function*() {
    const crm = yield* Crm
    const profiles = yield* Profiles
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const notes = yield* CrmNotes
    const { promptly } = yield* Transactor

    /** The brand's CRM, or the client error that there is none. */
    const targetOf = (lead: Lead) =>
      Option.match(Option.flatMap(profiles.get(lead.profile), (p) => p.crm), {
        onNone: () => Effect.fail(new CrmClientError({ detail: "no CRM is configured for this brand" })),
        onSome: Effect.succeed
      })

    const send = (lead: Lead, maybeThere: boolean, extras: Pick<LeadExtras, "followUps"> = { followUps: [] }) =>
      Effect.gen(function*() {
        const target = yield* targetOf(lead)
        const phone = yield* followUps.phoneOf(lead.id)
        if (takesNotes(target)) {
          if (maybeThere) {
            const found = yield* crm.findExisting(target, lead.id)
            if (Option.isSome(found)) {
              yield* Effect.logInfo(`the CRM had the lead already (${describeRef(found.value)}): not sent again`)
              return { ref: found.value, target, phone } satisfies Sent
            }
          }
          yield* promptly(leads.markMaybeInCrm(lead.id, true))
        }
        const ref = yield* crm.deliver(target, lead, { phone, utm: profiles.utmOf(lead.campaign), ...extras }).pipe(
          Effect.tapError((e) =>
            takesNotes(target) && !mayHaveReachedCrm(e) ? promptly(leads.markMaybeInCrm(lead.id, false)) : Effect.void
          ),
          // An answer lost after the CRM may have made the lead (a timeout, a 5xx): asked once, a moment later,
          // before the managers are asked to enter by hand a lead the CRM has.
          Effect.catchIf(
            (e): e is CrmError => isCrmError(e) && takesNotes(target) && mayHaveReachedCrm(e),
            (e) =>
              Effect.sleep(SEARCH_AFTER_LOST_ANSWER).pipe(
                Effect.zipRight(crm.findExisting(target, lead.id)),
                Effect.flatMap(Option.match({ onNone: () => Effect.fail(e), onSome: Effect.succeed })),
                Effect.tap((found) => Effect.logInfo(`the CRM had the lead after all (${describeRef(found)})`)),
                Effect.catchAll(() => Effect.fail(e))
              )
          )
        )
        return { ref, target, phone } satisfies Sent
      })

    /**
     * With the lead's outcome, in its unit: where it is in a native CRM, and its first notes queued. A webhook's ref
     * says nothing the outcome does not: not written (a statement less on every lead's path).
     */
    const record = (lead: Lead, sent: Sent, extras: Pick<LeadExtras, "followUps"> = { followUps: [] }) =>
      Effect.gen(function*() {
        if (!takesNotes(sent.target)) return
        yield* leads.setCrmRef(lead.id, sent.ref)
        const at = yield* Clock.currentTimeMillis
        const withLead = { phone: sent.phone, utm: profiles.utmOf(lead.campaign), ...extras }
        yield* notes.queue(
          leadNotes(sent.target, lead, withLead).map((note) => ({
            leadId: lead.id,
            key: note.key,
            kind: "note" as const,
            text: note.text,
            createdAt: at
          }))
        )
      })

    return { send, record, targetOf } as const
  })
}) {}
