import { Option, Schema } from "effect"

import { Utm } from "../lead/Campaign.js"
import type { Lead } from "../lead/Lead.js"

/**
 * The JSON the CRM widget expects: the seed's fields, plus `telegram_id`, `lead_id`, and where the lead came from:
 * `campaign` (its code, or null) and `utm` (the fields locales.json lists for it, `{}` when none).
 */
export const CrmPayload = Schema.Struct({
  lead_name: Schema.String,
  contact: Schema.Struct({
    name: Schema.String,
    username: Schema.String,
    telegram_id: Schema.Number,
    /** The person's own number, once they gave it (`+` and digits). */
    phone: Schema.optional(Schema.String)
  }),
  source: Schema.Literal("Telegram Bot"),
  request_details: Schema.String,
  lead_id: Schema.String,
  campaign: Schema.NullOr(Schema.String),
  utm: Utm,
  /** What the person sent while the lead waited for the CRM (reconciliation); absent when nothing. */
  follow_ups: Schema.optional(Schema.Array(Schema.Struct({ text: Schema.String, at: Schema.Number })))
})
export type CrmPayload = typeof CrmPayload.Type

export const crmPayload = (
  lead: Lead,
  utm: Utm,
  phone: Option.Option<string> = Option.none(),
  followUps: ReadonlyArray<{ readonly text: string; readonly at: number }> = []
): CrmPayload => ({
  lead_name: `Новый лид с Telegram: ${lead.brandName}`,
  contact: {
    name: lead.contact.fullName,
    username: Option.match(lead.contact.username, { onNone: () => "", onSome: (u) => `@${u}` }),
    telegram_id: lead.contact.telegramId,
    ...Option.match(phone, { onNone: () => ({}), onSome: (number) => ({ phone: number }) })
  },
  source: "Telegram Bot",
  request_details: lead.title,
  lead_id: lead.id,
  campaign: Option.getOrNull(lead.campaign),
  utm,
  ...(followUps.length === 0 ? {} : { follow_ups: followUps.map(({ at, text }) => ({ text, at })) })
})
