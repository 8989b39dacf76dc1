import { Schema } from "effect"

/** A note's kind: text on the lead, or the person's phone (on the contact in amoCRM, the lead in Bitrix24). */
export const CrmNoteKind = Schema.Literal("note", "phone")
export type CrmNoteKind = typeof CrmNoteKind.Type

/** What became of a note: the CRM has it, or refused it for good (a client error: the operator's to fix). */
export const CrmNoteOutcome = Schema.Literal("sent", "refused")
export type CrmNoteOutcome = typeof CrmNoteOutcome.Type

/**
 * A note for a lead's native CRM, in its outbox: keyed by what it is about (`lead`, `follow-up:<seq>`,
 * `relay:<id>`), so that each is sent once, each lead's in the order they came.
 */
export const PendingCrmNote = Schema.Struct({
  leadId: Schema.String,
  key: Schema.String,
  kind: CrmNoteKind,
  text: Schema.String,
  createdAt: Schema.Number,
  dueAt: Schema.OptionFromSelf(Schema.Number),
  retries: Schema.Number
})
export type PendingCrmNote = typeof PendingCrmNote.Type

export type NewCrmNote = Omit<PendingCrmNote, "dueAt" | "retries">
