import { Context, type Effect, type Option } from "effect"

import type { AppliedVia, FollowUp } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** Which lead a person's next message belongs to, and that lead's follow-ups in order. */
export class FollowUpState extends Context.Tag("FollowUpState")<
  FollowUpState,
  {
    readonly attach: (telegramId: number, leadId: string) => Effect.Effect<void, StoreError>
    readonly latestLead: (telegramId: number) => Effect.Effect<Option.Option<string>, StoreError>
    /** Queues a follow-up; its `seq` (and the time it came) is assigned here. */
    readonly add: (followUp: Omit<FollowUp, "seq">) => Effect.Effect<FollowUp, StoreError>
    /** Follow-ups not yet shown to the managers, oldest first. */
    readonly queued: (leadId: string) => Effect.Effect<ReadonlyArray<FollowUp>, StoreError>
    readonly markApplied: (leadId: string, seq: number, via: AppliedVia) => Effect.Effect<void, StoreError>
    /** All the lead's follow-ups and when each came, oldest first (what goes with it to a CRM that takes it late). */
    readonly allOf: (
      leadId: string
    ) => Effect.Effect<ReadonlyArray<{ readonly followUp: FollowUp; readonly at: number }>, StoreError>
    /** Follow-ups that became part of the fallback message's text, oldest first. */
    readonly appliedByEdit: (leadId: string) => Effect.Effect<ReadonlyArray<FollowUp>, StoreError>
    /** The phone number the lead's person gave last, shown or not. */
    readonly phoneOf: (leadId: string) => Effect.Effect<Option.Option<string>, StoreError>
    /** How many follow-ups of the person's leads are kept, and the phone they gave last (what /mydata lists). */
    readonly ofPerson: (
      telegramId: number
    ) => Effect.Effect<{ readonly followUps: number; readonly phone: Option.Option<string> }, StoreError>
    /** Deletes the person's follow-ups and the pointer to their latest lead; how many of each. */
    readonly forgetPerson: (
      telegramId: number
    ) => Effect.Effect<{ readonly followUps: number; readonly latestLead: number }, StoreError>
  }
>() {}
