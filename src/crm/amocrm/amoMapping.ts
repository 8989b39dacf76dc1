import { Option } from "effect"

import { UTM_FIELDS } from "../../lead/Campaign.js"
import type { Lead } from "../../lead/Lead.js"
import type { LeadExtras } from "../Crm.js"

/**
 * A lead in amoCRM's terms (API v4): the JSON of `POST /api/v4/leads/complex` and of the contact's phone. Pure:
 * what the client sends is exactly this.
 */

/** amoCRM keeps a lead's name up to 255 characters. */
const NAME_LIMIT = 255

/**
 * The lead id as one word of the lead's name, what `GET /api/v4/leads?query=` is asked for: letters and digits only
 * (a search splits words at "-"), so `3f1c2a9e-…` is `3f1c2a9e…`.
 */
export const searchToken = (leadId: string): string => leadId.replace(/[^A-Za-z0-9]/g, "")

/** `<brand>: <service> · <lead id as one word>`, the service cut short when the whole would not fit. */
export const leadName = (lead: Lead): string => {
  const tail = ` · ${searchToken(lead.id)}`
  const head = `${lead.brandName}: ${lead.title}`
  return head.length + tail.length <= NAME_LIMIT
    ? head + tail
    : `${head.slice(0, NAME_LIMIT - tail.length - 1)}…${tail}`
}

/** Whether a lead's name (as a search returns it) is this lead's: its id is the name's last word. */
export const nameCarries = (name: string, leadId: string): boolean => name.endsWith(` · ${searchToken(leadId)}`)

export interface CustomFieldValue {
  readonly field_code: string
  readonly values: ReadonlyArray<{ readonly value: string; readonly enum_code?: string }>
}

/** The person's phone as a contact field: `PHONE`, a mobile number. */
export const phoneField = (phones: ReadonlyArray<string>): CustomFieldValue => ({
  field_code: "PHONE",
  values: phones.map((value) => ({ value, enum_code: "MOB" }))
})

/** The campaign's UTM fields, by field code (`UTM_SOURCE`…`UTM_TERM`): those the campaign lists. */
export const utmFields = (utm: LeadExtras["utm"]): ReadonlyArray<CustomFieldValue> =>
  UTM_FIELDS.flatMap((field) => {
    const value = utm[field]
    return value === undefined ? [] : [{ field_code: field.toUpperCase(), values: [{ value }] }]
  })

/** One lead with its contact, for `POST /api/v4/leads/complex` (an array of one). */
export const complexLead = (lead: Lead, extras: LeadExtras, pipelineId: Option.Option<number>) => {
  const utm = utmFields(extras.utm)
  const phone = Option.toArray(extras.phone)
  return [{
    name: leadName(lead),
    ...Option.match(pipelineId, { onNone: () => ({}), onSome: (id) => ({ pipeline_id: id }) }),
    ...(utm.length === 0 ? {} : { custom_fields_values: utm }),
    _embedded: {
      tags: [lead.profile, ...Option.toArray(lead.campaign)].map((name) => ({ name })),
      contacts: [{
        name: lead.contact.fullName,
        ...(phone.length === 0 ? {} : { custom_fields_values: [phoneField(phone)] })
      }]
    }
  }]
}

/** A common note, for `POST /api/v4/leads/{id}/notes` (an array of one); the key comes back as its request_id. */
export const commonNote = (key: string, text: string) => [{ note_type: "common", params: { text }, request_id: key }]

/**
 * The contact's phones with `phone` added, for `PATCH /api/v4/contacts/{id}`: amoCRM replaces a field's values, so
 * the ones it has are sent with it. None when it has that number already.
 */
export const phonePatch = (existing: ReadonlyArray<string>, phone: string) =>
  existing.includes(phone)
    ? Option.none()
    : Option.some({ custom_fields_values: [phoneField([...existing, phone])] })
