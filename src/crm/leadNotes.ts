import type { Lead } from "../lead/Lead.js"
import type { CrmNote, LeadExtras } from "./Crm.js"
import type { CrmTarget } from "./CrmTarget.js"
import { introNoteText } from "./leadTexts.js"

/** The key of a lead's first note: one a lead. */
export const LEAD_NOTE_KEY = "lead"

/**
 * The notes a lead's CRM gets once it has the lead, in order, for the caller's outbox (each sent once, by its key):
 * amoCRM one note with what its fields cannot hold; Bitrix24 none (its fields and COMMENTS hold it); a webhook none.
 */
export const leadNotes = (target: CrmTarget, lead: Lead, extras: LeadExtras): ReadonlyArray<CrmNote> =>
  target._tag === "AmoCrm" ? [{ key: LEAD_NOTE_KEY, text: introNoteText(lead, extras) }] : []
