import { Schema } from "effect"

import { CAMPAIGN_PATTERN, Utm } from "../lead/Campaign.js"
import { HoursSchema } from "./hoursSchema.js"
import { MANAGERS_TEXT_PLACEHOLDERS, ManagersTexts, SlaMinutes, TemplatesSchema } from "./managersLocales.js"
import { fillPlaceholders, placeholdersKnown } from "./placeholders.js"
import { ConsentSchema, PrivacyTexts } from "./privacyLocales.js"
import { ButtonText, HtmlText, PopupText, Slug, Text } from "./textSchemas.js"

/** Titles are plain text: they are button labels, and escaped wherever they meet HTML. */
export const ServiceSchema = Schema.Struct({ id: Slug, icon: Schema.String, title: Text })

/** A brand's texts and the placeholders each has (none, today). */
const PROFILE_TEXT_PLACEHOLDERS = { welcome: [], follow_up_ask: [] } as const

export const ProfileSchema = Schema.Struct({
  name: Text,
  webhook_url: Schema.optional(Schema.String),
  welcome: HtmlText,
  services: Schema.NonEmptyArray(ServiceSchema).pipe(
    Schema.filter((services) =>
      new Set(services.map((s) => s.id)).size === services.length || "service ids must be unique"
    )
  ),
  follow_up_ask: HtmlText,
  /** The follow-up ask also offers a button that shares the person's phone number. */
  ask_phone: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** When the brand's managers work (ADMIN_TIMEZONE); outside them the confirmation says so. */
  hours: Schema.optional(HoursSchema),
  /** A lead nobody took or answered this long gets a reminder in its managers' chat. */
  sla_minutes: Schema.optional(SlaMinutes),
  /** Reply templates: `/t <key>` in the managers' chat sends one to the person. */
  templates: Schema.optionalWith(TemplatesSchema, { default: () => ({}) })
}).pipe(
  Schema.filter(placeholdersKnown(PROFILE_TEXT_PLACEHOLDERS, Object.keys(PROFILE_TEXT_PLACEHOLDERS)))
)

const TextFields = Schema.Struct({
  accepted: HtmlText.pipe(Schema.includes("{title}", { message: () => "expected a text containing {title}" })),
  strategist: HtmlText,
  choose_brand: HtmlText,
  stale_menu: PopupText,
  already_accepted: PopupText,
  follow_up_thanks: HtmlText,
  share_phone: Schema.optionalWith(ButtonText, { default: () => "📱 Отправить номер телефона" }),
  own_phone_only: Schema.optionalWith(HtmlText, {
    default: () => "Пожалуйста, отправьте свой номер: кнопкой «📱 Отправить номер телефона» или текстом."
  }),
  off_hours: Schema.optionalWith(HtmlText, {
    default: () => "🌙 Сейчас нерабочее время: менеджеры работают {days_ru} с {from} до {to} — ответим в рабочее время."
  }),
  ...PrivacyTexts.fields,
  ...ManagersTexts.fields
})

/**
 * Each text's placeholders, declared once: the code that fills a text (`fillText`) and the check at start read this
 * list; a text not listed has none. Declaring one is a line.
 */
export const TEXT_PLACEHOLDERS = {
  /** The service's title, escaped. */
  accepted: ["title"],
  /** The brand's working days (`пн–пт`, `пн, ср, пт`, `ежедневно`) and hours. */
  off_hours: ["days_ru", "from", "to"],
  ...MANAGERS_TEXT_PLACEHOLDERS
} as const satisfies { readonly [Text in keyof typeof TextFields.Type]?: ReadonlyArray<string> }

/** Every text checked at start: a placeholder the text does not have would reach people as it is written. */
export const TextsSchema = TextFields.pipe(Schema.filter(placeholdersKnown(TEXT_PLACEHOLDERS)))
export type Texts = typeof TextsSchema.Type

type TextPlaceholders = typeof TEXT_PLACEHOLDERS

/** A text with its placeholders filled in, the values exactly those TEXT_PLACEHOLDERS declares for it. */
export const fillText = <Text extends keyof TextPlaceholders>(
  texts: Texts,
  text: Text,
  values: { readonly [Name in TextPlaceholders[Text][number]]: string }
): string => fillPlaceholders(texts[text], values)

/** A campaign's code: what a deep link carries after its brand (`start=agency-vk_spring`). */
const CampaignCode = Schema.String.pipe(
  Schema.pattern(CAMPAIGN_PATTERN, { message: () => "expected a campaign code of A-Z a-z 0-9 _ (1-48)" })
)

export const LocalesSchema = Schema.Struct({
  texts: TextsSchema,
  /** Optional: consent as a step of its own (absent: no step). */
  consent: Schema.optional(ConsentSchema),
  /** Optional: campaigns with their UTM fields. A campaign not listed is still recorded, with no UTM. */
  campaigns: Schema.optional(Schema.Record({ key: CampaignCode, value: Utm })),
  profiles: Schema.Record({ key: Slug, value: ProfileSchema }).pipe(
    Schema.filter((profiles) => Object.keys(profiles).length > 0 || "expected at least one profile")
  )
})
export type Locales = typeof LocalesSchema.Type

/** The file's text to locales: JSON syntax and shape checked in one decode. */
export const LocalesFromJson = Schema.parseJson(LocalesSchema)
