import { Clock, Effect, Option } from "effect"

import { followUpNoteText, managerReplyNoteText, personMessageNoteText } from "../crm/leadTexts.js"
import type { CrmNoteKind } from "../lead/CrmNote.js"
import type { FollowUp, LeadRecord, Relay } from "../lead/Lead.js"
import { CrmNotes } from "../store/CrmNotes.js"
import { LeadStore } from "../store/LeadStore.js"
import { visibleText } from "../telegram/escapeHtml.js"

/** A note for a lead's CRM: what it is about (its key, once a lead), and what the CRM is given. */
interface NoteFor {
  readonly key: string
  readonly kind: CrmNoteKind
  readonly text: string
}

/** A follow-up as its note: a phone updates the contact; a message after a manager's answer is the client's. */
const followUpNote = (record: LeadRecord, followUp: FollowUp): NoteFor =>
  followUp.phone
    ? { key: `follow-up:${followUp.seq}`, kind: "phone", text: followUp.text }
    : {
      key: `follow-up:${followUp.seq}`,
      kind: "note",
      text: record.answered
        ? personMessageNoteText(followUp.media, followUp.text)
        : followUpNoteText(followUp.media, followUp.text)
    }

/** A manager's message relayed to the person, as its note (a template as the person read it). */
const replyNote = (relay: Relay): NoteFor => ({
  key: `relay:${relay.id}`,
  kind: "note",
  text: managerReplyNoteText(
    Option.getOrElse(Option.map(relay.manager, (m) => m.name), () => ""),
    Option.getOrElse(Option.map(relay.html, visibleText), () => relay.text),
    relay.media
  )
})

/**
 * The conversation after a lead, for its CRM: a note is queued in the caller's unit (with what made it, so it is
 * neither lost nor queued twice) and only for a lead a native CRM took; a webhook's lead, a fallback not yet in the
 * CRM, or a lead gone get none. CrmNotesDelivery finds a queued note due within a second.
 */
export class CrmNoteQueue extends Effect.Service<CrmNoteQueue>()("CrmNoteQueue", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadStore
    const { queue: queueNotes } = yield* CrmNotes

    const queue = (leadId: string, noteOf: (record: LeadRecord) => NoteFor) =>
      Effect.gen(function*() {
        const record = yield* leads.get(leadId)
        if (Option.isNone(record) || !Option.exists(record.value.crm.ref, (ref) => ref._tag !== "Webhook")) return
        yield* queueNotes([{ leadId, ...noteOf(record.value), createdAt: yield* Clock.currentTimeMillis }])
      })

    return {
      /** A follow-up applied (posted to the managers): to the CRM as a note, or the contact's phone. */
      followUp: (followUp: FollowUp) => queue(followUp.leadId, (record) => followUpNote(record, followUp)),
      /** A manager's message that reached the person of the lead. */
      reply: (leadId: string, relay: Relay) => queue(leadId, () => replyNote(relay))
    } as const
  })
}) {}
