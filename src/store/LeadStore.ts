import { Context, type Effect, type Option } from "effect"

import type { DeliveryAttempt, Handled, Lead, LeadRecord, Outcome } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** The outbox: leads are recorded before the person is answered and leave it once a human can see them. */
export class LeadStore extends Context.Tag("LeadStore")<
  LeadStore,
  {
    /**
     * Records the lead unless it repeats one: the same person's lead for the same service, created at or after
     * `repeatSince` (a second tap). True when recorded. The check is part of the write, so a unit cannot split them.
     */
    readonly record: (lead: Lead, repeatSince: number) => Effect.Effect<boolean, StoreError>
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
    /** Marks a fallback lead as entered by hand; false when it already was. */
    readonly markHandled: (leadId: string, handled: Handled) => Effect.Effect<boolean, StoreError>
    /** Leads that have reached no human yet, oldest first. */
    readonly undelivered: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
    /** Fallback leads no manager has marked "✅ Внесено в CRM" yet, oldest first. */
    readonly awaitingEntry: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
  }
>() {}
