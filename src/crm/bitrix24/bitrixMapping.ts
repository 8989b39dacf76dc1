import { Option } from "effect"

import { UTM_FIELDS } from "../../lead/Campaign.js"
import type { Lead } from "../../lead/Lead.js"
import type { LeadExtras } from "../Crm.js"
import { commentsText, telegramLine } from "../leadTexts.js"

/**
 * A lead in Bitrix24's terms (REST, an inbound webhook): the parameters of `crm.lead.add`, `crm.lead.list`,
 * `crm.lead.update` and `crm.timeline.comment.add`. Pure: what the client sends is exactly this.
 */

/** Who made the lead, with ORIGIN_ID (the lead's id): how a lead of ours is found again. */
export const ORIGINATOR_ID = "leadbot"

const TITLE_LIMIT = 255

/** Telegram's full name is `first last`: the first word is NAME, the rest LAST_NAME (none when there is none). */
export const splitName = (fullName: string): { readonly NAME: string; readonly LAST_NAME?: string } => {
  const [first = "", ...rest] = fullName.trim().split(/\s+/)
  return rest.length === 0 ? { NAME: first } : { NAME: first, LAST_NAME: rest.join(" ") }
}

/** A phone as a multifield value: a mobile number. */
export const mobile = (phone: string) => ({ VALUE: phone, VALUE_TYPE: "MOBILE" })

/** The campaign's UTM fields as the lead's own (`UTM_SOURCE`…`UTM_TERM`): those the campaign lists. */
export const utmFields = (utm: LeadExtras["utm"]): Record<string, string> =>
  Object.fromEntries(UTM_FIELDS.flatMap((field) => {
    const value = utm[field]
    return value === undefined ? [] : [[field.toUpperCase(), value]]
  }))

/** `crm.lead.add`'s fields for the lead. */
export const leadFields = (lead: Lead, extras: LeadExtras, sourceId: string) => ({
  TITLE: `${lead.brandName}: ${lead.title}`.slice(0, TITLE_LIMIT),
  ...splitName(lead.contact.fullName),
  ...Option.match(extras.phone, { onNone: () => ({}), onSome: (phone) => ({ PHONE: [mobile(phone)] }) }),
  SOURCE_ID: sourceId,
  SOURCE_DESCRIPTION: `Telegram: ${telegramLine(lead)}`,
  ...utmFields(extras.utm),
  ORIGINATOR_ID,
  ORIGIN_ID: lead.id,
  COMMENTS: commentsText(lead, extras)
})

/** `crm.lead.add`: the lead, its creation shown in the activity stream (the responsible person is told). */
export const addLead = (lead: Lead, extras: LeadExtras, sourceId: string) => ({
  fields: leadFields(lead, extras, sourceId),
  params: { REGISTER_SONET_EVENT: "Y" }
})

/** `crm.lead.list`: the leads of ours made for this lead id, oldest first. */
export const findLead = (leadId: string) => ({
  filter: { ORIGINATOR_ID, ORIGIN_ID: leadId },
  select: ["ID"],
  order: { ID: "ASC" }
})

/** `crm.timeline.comment.add` on the lead. */
export const leadComment = (leadId: number, text: string) => ({
  fields: { ENTITY_ID: leadId, ENTITY_TYPE: "lead", COMMENT: text }
})

/**
 * `crm.lead.update` adding the phone (a multifield value without an ID is added beside the others); none when the
 * lead has that number already.
 */
export const phoneUpdate = (leadId: number, existing: ReadonlyArray<string>, phone: string) =>
  existing.includes(phone) ? Option.none() : Option.some({ id: leadId, fields: { PHONE: [mobile(phone)] } })
