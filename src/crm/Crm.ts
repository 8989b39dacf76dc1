import { Context, type Effect, type Option } from "effect"

import type { StartupError } from "../config/StartupError.js"
import type { Utm } from "../lead/Campaign.js"
import type { CrmRef } from "../lead/CrmRef.js"
import type { Lead } from "../lead/Lead.js"
import type { CrmError } from "./CrmError.js"
import type { CrmTarget, NativeCrmTarget } from "./CrmTarget.js"

/** Something the person sent before the lead reached the CRM, as it goes with the lead (text, or media's caption). */
export interface EarlyFollowUp {
  readonly text: string
  /** When it came (ms since the epoch). */
  readonly at: number
}

/** What goes with a lead beside the lead itself. */
export interface LeadExtras {
  /** The person's own number, once they gave it (`+` and digits). */
  readonly phone: Option.Option<string>
  /** Follow-ups that came while the lead waited for its CRM (reconciliation, issue 32), oldest first. */
  readonly followUps: ReadonlyArray<EarlyFollowUp>
  /** The campaign's UTM fields (locales.json), `{}` when none. */
  readonly utm: Utm
}

/**
 * A note on a lead in its CRM: `key` says what it is about (`lead`, `follow-up:<seq>`, `relay:<id>`…), so that the
 * caller's outbox sends each once; the CRM is given the text (amoCRM also gets the key as its `request_id`).
 */
export interface CrmNote {
  readonly key: string
  readonly text: string
}

/**
 * The brands' CRMs, one port for the three kinds (the target says which). Every failure is one of the five CrmErrors;
 * `mayHaveReachedCrm(error)` says whether the CRM may have done it anyway (ask `findExisting` before a resend).
 */
export class Crm extends Context.Tag("Crm")<
  Crm,
  {
    /**
     * Makes the lead in the CRM and says where it is. Webhook: the JSON as today (plus `follow_ups` when there are
     * some), `Idempotency-Key: <lead id>`. amoCRM: the lead with its contact (name, phone), UTM fields and tags.
     * Bitrix24: the lead with name, phone, source, UTM, `ORIGINATOR_ID`/`ORIGIN_ID` and the comments. The lead's
     * first note is not part of it: `leadNotes` gives it, for the caller's outbox.
     */
    readonly deliver: (target: CrmTarget, lead: Lead, extras: LeadExtras) => Effect.Effect<CrmRef, CrmError>
    /**
     * The lead as the CRM already has it (made by an earlier attempt whose answer was lost), or none. A webhook
     * cannot be asked: always none (its repeats carry the same Idempotency-Key and lead_id).
     */
    readonly findExisting: (target: CrmTarget, leadId: string) => Effect.Effect<Option.Option<CrmRef>, CrmError>
    /** One note on the lead (amoCRM: a common note; Bitrix24: a timeline comment). */
    readonly addNote: (target: NativeCrmTarget, ref: CrmRef, note: CrmNote) => Effect.Effect<void, CrmError>
    /** The person's phone, given after the lead reached the CRM: on the contact (amoCRM) or the lead (Bitrix24). */
    readonly updatePhone: (target: NativeCrmTarget, ref: CrmRef, phone: string) => Effect.Effect<void, CrmError>
    /**
     * At start: the CRM says the credentials are good. A refusal of them fails naming the variable; a CRM that is
     * down, slow or odd only logs a warning (an outage must not keep the bot from taking leads).
     */
    readonly check: (target: CrmTarget, brand: string) => Effect.Effect<void, StartupError>
  }
>() {}
