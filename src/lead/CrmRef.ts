import { Schema } from "effect"

/**
 * Where a lead is in its CRM, once the CRM took it: what delivery stores with the lead, so that notes, a later phone
 * and a search after a restart find it. Encoded as plain JSON (`CrmRefFromJson`) for the store.
 */

/** A webhook answered 2xx: nothing more is known (it may have its own id; it never said). */
export const WebhookRef = Schema.TaggedStruct("Webhook", {})

/** amoCRM's lead, and the contact made with it (none when a lead found by search has no contact). */
export const AmoCrmRef = Schema.TaggedStruct("AmoCrm", {
  leadId: Schema.Number,
  contactId: Schema.OptionFromNullOr(Schema.Number)
})
export type AmoCrmRef = typeof AmoCrmRef.Type

/** Bitrix24's lead (the lead holds the person's name and phone itself). */
export const Bitrix24Ref = Schema.TaggedStruct("Bitrix24", { leadId: Schema.Number })
export type Bitrix24Ref = typeof Bitrix24Ref.Type

export const CrmRef = Schema.Union(WebhookRef, AmoCrmRef, Bitrix24Ref)
export type CrmRef = typeof CrmRef.Type

/** A CrmRef as a JSON text, e.g. `{"_tag":"AmoCrm","leadId":101,"contactId":201}`. */
export const CrmRefFromJson = Schema.parseJson(CrmRef)

/** The ref as one short phrase for a log line: `amoCRM lead 101`. */
export const describeRef = (ref: CrmRef): string =>
  ref._tag === "Webhook"
    ? "delivered to the webhook"
    : `${ref._tag === "AmoCrm" ? "amoCRM" : "Bitrix24"} lead ${ref.leadId}`
