import { Context, type Effect, type Option } from "effect"

import type { DeliveryAttempt, Handled, Lead, LeadRecord, Outcome } from "../lead/Lead.js"
import type { Claim } from "./Replica.js"
import type { StoreError } from "./StoreError.js"

/** What a claim on a lead tells: how many attempts failed in a row, and how much work was added to it so far. */
export interface ClaimedLead {
  readonly retries: number
  readonly wakes: number
}

/** The outbox: leads are recorded before the person is answered and leave it once a human can see them. */
export class LeadStore extends Context.Tag("LeadStore")<
  LeadStore,
  {
    /**
     * Records the lead unless it repeats one: the same person's lead for the same service, created at or after
     * `repeatSince` (a second tap). True when recorded. The check is part of the write, so a unit cannot split them.
     * A recorded lead is due for delivery and claimed by `claim` (the replica that will confirm it delivers it).
     */
    readonly record: (lead: Lead, repeatSince: number, claim: Claim) => Effect.Effect<boolean, StoreError>
    readonly get: (leadId: string) => Effect.Effect<Option.Option<LeadRecord>, StoreError>
    /** The person has seen the lead's confirmation. */
    readonly markConfirmed: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /**
     * The lead this tap created, if its person was never confirmed (the process stopped in between): a replay of the
     * tap's update owes them the confirmation. None for any other tap.
     */
    readonly owedConfirmation: (tapId: string) => Effect.Effect<Option.Option<Lead>, StoreError>
    readonly setOutcome: (leadId: string, outcome: Outcome) => Effect.Effect<void, StoreError>
    readonly recordAttempt: (leadId: string, attempt: DeliveryAttempt) => Effect.Effect<void, StoreError>
    /** Marks a fallback lead as entered by hand (and so due, to show it); false when it already was. */
    readonly markHandled: (leadId: string, handled: Handled) => Effect.Effect<boolean, StoreError>
    /** The manager's mark is on the fallback message. */
    readonly markHandledShown: (leadId: string) => Effect.Effect<void, StoreError>
    /** Work was added to the lead (a follow-up): it is due now, unless it waits for a retry already. */
    readonly wake: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /** Claims the lead if it is due at `now` and no other replica's claim on it is live. */
    readonly claim: (leadId: string, claim: Claim, now: number) => Effect.Effect<Option.Option<ClaimedLead>, StoreError>
    /** Claims up to `limit` due leads no live claim holds (a dead replica's, retries whose time came); their ids. */
    readonly claimDue: (claim: Claim, now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
    /** Extends this replica's claims on `leadIds` (the ones it is working on). */
    readonly renewClaims: (leadIds: ReadonlyArray<string>, claim: Claim) => Effect.Effect<void, StoreError>
    /** Lets go of a lead whose attempt failed: any replica may try it again at `at`. */
    readonly retryLater: (leadId: string, by: string, at: number) => Effect.Effect<void, StoreError>
    /**
     * Lets go of a lead with nothing left to do, unless work was added since the claim (`wakes` moved on) or the
     * claim is no longer `by`'s. True when let go.
     */
    readonly release: (leadId: string, by: string, wakes: number) => Effect.Effect<boolean, StoreError>
    /** Lets go of every lead `by` claimed (at shutdown; at start, for a store only this process opens). */
    readonly releaseClaims: (by: string) => Effect.Effect<void, StoreError>
    /** Leads that have reached no human yet, oldest first. */
    readonly undelivered: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
    /** Fallback leads no manager has marked "✅ Внесено в CRM" yet, oldest first. */
    readonly awaitingEntry: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
  }
>() {}
