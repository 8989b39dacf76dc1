import { Option, Schema } from "effect"

/** A campaign's code, as a deep link carries it after its brand: `start=agency-vk_spring`. */
export const CAMPAIGN_PATTERN = /^[A-Za-z0-9_]{1,48}$/

/** Telegram's grammar of a deep link's parameter. */
const PARAMETER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

/** What a `/start` parameter names: a brand key (lowercased, maybe none of ours) and a campaign. */
export interface StartParameter {
  readonly brand: Option.Option<string>
  readonly campaign: Option.Option<string>
  /** The parameter breaks the grammar (typed by hand): no campaign is taken from it. */
  readonly malformed: boolean
}

/**
 * `<brand>` or `<brand>-<campaign>` (brand keys never contain "-"). A parameter that breaks the grammar still names
 * the brand before its first "-", with no campaign.
 */
export const parseStartParameter = (parameter: string): StartParameter => {
  const text = parameter.trim()
  if (text === "") return { brand: Option.none(), campaign: Option.none(), malformed: false }
  const dash = text.indexOf("-")
  const brand = Option.some((dash < 0 ? text : text.slice(0, dash)).toLowerCase())
  if (dash < 0) return { brand, campaign: Option.none(), malformed: !PARAMETER_PATTERN.test(text) }
  const campaign = text.slice(dash + 1)
  const wellFormed = PARAMETER_PATTERN.test(text) && CAMPAIGN_PATTERN.test(campaign)
  return { brand, campaign: wellFormed ? Option.some(campaign) : Option.none(), malformed: !wellFormed }
}

/** The UTM fields a campaign may list in locales.json, in the order they are shown. */
export const UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] as const

const UtmValue = Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected a non-empty text" }))

/** The UTM fields a campaign is entered under in the CRM (listed in locales.json); each, when given, non-empty. */
export const Utm = Schema.Struct({
  utm_source: Schema.optional(UtmValue),
  utm_medium: Schema.optional(UtmValue),
  utm_campaign: Schema.optional(UtmValue),
  utm_content: Schema.optional(UtmValue),
  utm_term: Schema.optional(UtmValue)
})
export type Utm = typeof Utm.Type

/** A person's `/start`, kept for attribution and `/stats`: who, which brand and campaign (if any), when. */
export const StartEvent = Schema.Struct({
  telegramId: Schema.Number,
  brand: Schema.OptionFromSelf(Schema.String),
  campaign: Schema.OptionFromSelf(Schema.String),
  at: Schema.Number
})
export type StartEvent = typeof StartEvent.Type
