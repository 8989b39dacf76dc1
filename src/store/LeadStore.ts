import { Context, type Effect, type Option } from "effect"

import type { CrmRef } from "../lead/CrmRef.js"
import type { DeliveryAttempt, Handled, Lead, LeadRecord, Outcome, Taken } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** The outbox: leads are recorded before the person is answered and leave it once a human can see them. */
export class LeadStore extends Context.Tag("LeadStore")<
  LeadStore,
  {
    /**
     * Records the lead unless it repeats one: the same person's lead for the same service, created at or after
     * `repeatSince` (a second tap). True when recorded. The check is part of the write, so a unit cannot split them.
     * A recorded lead is due for delivery.
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
    /** The lead reached a human; false when it is gone (its person was forgotten meanwhile). */
    readonly setOutcome: (leadId: string, outcome: Outcome) => Effect.Effect<boolean, StoreError>
    readonly recordAttempt: (leadId: string, attempt: DeliveryAttempt) => Effect.Effect<void, StoreError>
    /**
     * Marks a fallback lead as entered by hand (and so due, to show it); its reconciliation stops. False when it
     * already was, or the CRM took it first (reconciliation).
     */
    readonly markHandled: (leadId: string, handled: Handled) => Effect.Effect<boolean, StoreError>
    /** The manager's mark is on the fallback message. */
    readonly markHandledShown: (leadId: string) => Effect.Effect<void, StoreError>
    /** Work was added to the lead (a follow-up): it is due now, unless it waits for a retry already. */
    readonly wake: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /**
     * Up to `limit` leads due at `now` (their time came: a retry, what a previous run left) that no live lease holds,
     * soonest first.
     */
    readonly due: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
    /** An attempt failed: the lead is due again at `at`, one retry more. */
    readonly retryLater: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /** Nothing is left to do for the lead, unless work was added since `wakes` was read. True when settled. */
    readonly settle: (leadId: string, wakes: number) => Effect.Effect<boolean, StoreError>
    /**
     * A fallback lead's message was posted anew (its forum topic was deleted, or its brand has another chat now): it
     * is this one, in this chat, now.
     */
    readonly moveFallback: (leadId: string, chatId: number, messageId: number) => Effect.Effect<void, StoreError>
    /** The lead's card (ADMIN_NOTIFY=all) is posted: this message. */
    readonly setCard: (leadId: string, messageId: number) => Effect.Effect<void, StoreError>
    /**
     * A manager's first message reached the lead's person at `at` (written by `by`, their Telegram id); true the
     * first time only. Its reminders stop.
     */
    readonly markFirstReply: (leadId: string, at: number, by: number) => Effect.Effect<boolean, StoreError>
    /**
     * A manager takes the lead, unless another took it first (one taker, whoever asks at once): the taker who stands,
     * and whether it is this one; none when the lead is gone. A new taker makes the lead due (to show it) and ends
     * its reminders.
     */
    readonly take: (
      leadId: string,
      taker: Taken
    ) => Effect.Effect<Option.Option<{ readonly won: boolean; readonly taker: Taken }>, StoreError>
    /** Who took the lead is on its message. */
    readonly markTakenShown: (leadId: string) => Effect.Effect<void, StoreError>
    /** The lead's first reminder is due at `at` (its message reached its managers' chat), unless one is set. */
    readonly scheduleReminder: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /** Up to `limit` leads whose reminder is due at `now`, not taken, not answered, that no live lease holds. */
    readonly remindersDue: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
    /**
     * The lead's `sent`-th reminder is out; the next is due at `next` (none: no more). False when that reminder was
     * counted already (another run sent it), or the lead is gone.
     */
    readonly reminded: (leadId: string, sent: number, next: Option.Option<number>) => Effect.Effect<boolean, StoreError>
    /** The CRM took the lead: where it is there (its notes and a later phone go to it). */
    readonly setCrmRef: (leadId: string, ref: CrmRef) => Effect.Effect<void, StoreError>
    /** Whether the lead's last CRM attempt may have reached the CRM unanswered (then the CRM is asked first). */
    readonly markMaybeInCrm: (leadId: string, maybe: boolean) => Effect.Effect<void, StoreError>
    /** A reminder that could not be sent is tried again at `at` (unless it is no longer due: taken, answered). */
    readonly postponeReminder: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /**
     * Reconciliation: the fallback lead is offered to its CRM again from `at`, unless a manager entered it or the
     * CRM took it meanwhile.
     */
    readonly awaitCrm: (leadId: string, at: number) => Effect.Effect<void, StoreError>
    /** Up to `limit` leads whose reconciliation is due at `now`, that no live lease holds, oldest lead first. */
    readonly reconcileDue: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
    /**
     * A reconciliation failed: tried again at `at`, one retry more, unless a manager entered the lead meanwhile
     * (their press wins); none: it is over (its time is up, or nothing is left to reconcile).
     */
    readonly reconcileLater: (leadId: string, at: Option.Option<number>) => Effect.Effect<void, StoreError>
    /**
     * The CRM took the fallback lead at `at` (even if a manager pressed meanwhile: its message then says both): its
     * reconciliation is over and the lead is due, to show it. True the first time only.
     */
    readonly reconciled: (leadId: string, at: number) => Effect.Effect<boolean, StoreError>
    /** The lead's message says that the CRM took it. */
    readonly markReconciledShown: (leadId: string) => Effect.Effect<void, StoreError>
    /** Leads that have reached no human yet, oldest first. */
    readonly undelivered: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
    /** Fallback leads no manager has marked "✅ Внесено в CRM" and the CRM has not taken since, oldest first. */
    readonly awaitingEntry: Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
    /** The person's leads, oldest first (what /mydata lists). */
    readonly ofPerson: (telegramId: number) => Effect.Effect<ReadonlyArray<LeadRecord>, StoreError>
    /**
     * Deletes the person's leads and their attempts (their data deleted on request); the leads as they stood. Their
     * follow-ups go first (FollowUpState.forgetPerson).
     */
    readonly forgetPerson: (
      telegramId: number
    ) => Effect.Effect<{ readonly leads: ReadonlyArray<LeadRecord>; readonly attempts: number }, StoreError>
  }
>() {}
