import { Either, ParseResult, Schema } from "effect"

import { CAMPAIGN_PATTERN, Utm } from "../lead/Campaign.js"
import { parseTelegramHtml } from "../telegram/parseTelegramHtml.js"
import { fillPlaceholders, placeholdersKnown } from "./placeholders.js"
import { parseDays, type WorkingHours } from "./workingHours.js"

/** A key that is safe in callback data and in an environment variable name. */
export const Slug = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]{1,24}$/, { message: () => "expected lowercase letters, digits or _ (1-24)" })
)

const Text = Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected a non-empty text" }))

/** Telegram's limit on one message's text, after entity parsing. */
const MESSAGE_LIMIT = 4096
/** A pop-up (answerCallbackQuery) is plain text of at most 200 characters. */
const POPUP_LIMIT = 200

/** A text sent as a message: Telegram HTML as Telegram parses it, so a broken one stops start-up, not an answer. */
const HtmlText = Text.pipe(Schema.filter((html) => {
  const parsed = parseTelegramHtml(html)
  if (!parsed.ok) return `not valid Telegram HTML: ${parsed.error.replace(/^Bad Request: can't parse entities: /, "")}`
  return parsed.text.length <= MESSAGE_LIMIT || `longer than Telegram's ${MESSAGE_LIMIT} characters`
}))

/** A text shown as a tap's pop-up: plain text (tags would show literally), at most 200 characters. */
const PopupText = Text.pipe(Schema.filter((text) =>
  text.length > POPUP_LIMIT ?
    `a pop-up is at most ${POPUP_LIMIT} characters`
    : /<\/?[a-z-]+[^>]*>|&[a-z#0-9]+;/i.test(text) ?
    "a pop-up is plain text: Telegram shows tags and entities literally"
    : true
))

/** A button's label: plain text (tags would show literally). */
const ButtonText = Text.pipe(
  Schema.filter((text) =>
    /<\/?[a-z-]+[^>]*>|&[a-z#0-9]+;/i.test(text) ? "a button's text is plain text: no tags or entities" : true
  )
)

const Time = Schema.String.pipe(
  Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/, { message: () => "expected a time HH:MM from 00:00 to 23:59" })
)

/** `"hours": { "days": "mon-fri", "from": "10:00", "to": "19:00" }`, decoded to the days and times it means. */
export const HoursSchema = Schema.transformOrFail(
  Schema.Struct({ days: Schema.String, from: Time, to: Time }).pipe(
    Schema.filter((h) => h.from < h.to || { path: ["to"], message: `expected a time after from (${h.from})` }),
    Schema.filter((h) =>
      Either.match(parseDays(h.days), { onLeft: (message) => ({ path: ["days"], message }), onRight: () => true })
    )
  ),
  Schema.declare((u): u is WorkingHours => typeof u === "object" && u !== null && "daysRu" in u),
  {
    strict: true,
    decode: (h) => {
      const days = Either.getOrThrow(parseDays(h.days))
      return ParseResult.succeed<WorkingHours>({ days: days.days, from: h.from, to: h.to, daysRu: days.ru })
    },
    encode: (h, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, h, "hours are read, not written"))
  }
)

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
  hours: Schema.optional(HoursSchema)
}).pipe(
  Schema.filter(placeholdersKnown(PROFILE_TEXT_PLACEHOLDERS, Object.keys(PROFILE_TEXT_PLACEHOLDERS)))
)

/** The texts of consent (shown when locales.json has a `consent` section), /mydata and /forget; Russian defaults. */
const PrivacyTexts = Schema.Struct({
  consent_accept: Schema.optionalWith(ButtonText, { default: () => "✅ Согласен" }),
  consent_policy: Schema.optionalWith(ButtonText, { default: () => "📄 Политика обработки персональных данных" }),
  consent_needed: Schema.optionalWith(PopupText, {
    default: () => "Сначала дайте согласие на обработку персональных данных: кнопка «✅ Согласен» под текстом согласия."
  }),
  forget_ask: Schema.optionalWith(HtmlText, {
    default: () =>
      "Удалить всё, что бот хранит о вас: заявки, сообщения, телефон? " +
      "Согласие на обработку данных будет отозвано.\n\n" +
      "Заявки, которые уже переданы в CRM агентства, менеджеры удалят там."
  }),
  forget_yes: Schema.optionalWith(ButtonText, { default: () => "🗑 Да, удалить" }),
  forget_no: Schema.optionalWith(ButtonText, { default: () => "Нет, оставить" }),
  forget_kept: Schema.optionalWith(HtmlText, { default: () => "Хорошо, ничего не удалено." }),
  forgotten: Schema.optionalWith(HtmlText, {
    default: () =>
      "🗑 Готово: данные о вас удалены, согласие отозвано. Чтобы снова оставить заявку, откройте ссылку бренда ещё раз."
  }),
  mydata_title: Schema.optionalWith(HtmlText, { default: () => "<b>Что бот хранит о вас</b>" })
})

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
  ...PrivacyTexts.fields
})

/**
 * Each text's placeholders, declared once: the code that fills a text (`fillText`) and the check at start read this
 * list; a text not listed has none. Declaring one is a line.
 */
export const TEXT_PLACEHOLDERS = {
  /** The service's title, escaped. */
  accepted: ["title"],
  /** The brand's working days (`пн–пт`, `пн, ср, пт`, `ежедневно`) and hours. */
  off_hours: ["days_ru", "from", "to"]
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

/** An https URL (a policy page: people open it from the consent message). */
const HttpsUrl = Schema.String.pipe(Schema.filter((url) => {
  try {
    return new URL(url).protocol === "https:" || "expected an https:// URL"
  } catch {
    return "expected an https:// URL"
  }
}))

/** The consent text's placeholders: `{brand}`, the name of the brand whose link was opened (all, without one). */
export const CONSENT_PLACEHOLDERS = ["brand"] as const

/**
 * `consent`: the person's consent to the processing of their data (152-FZ), asked as a step of its own before
 * anything about them is kept. A new `version` asks everyone again.
 */
export const ConsentSchema = Schema.Struct({
  version: Schema.String.pipe(Schema.filter((v) => v.trim() !== "" || "expected a non-empty version")),
  text: HtmlText,
  policy_url: HttpsUrl
}).pipe(Schema.filter(placeholdersKnown({ text: CONSENT_PLACEHOLDERS }, ["text"])))
export type ConsentSettings = typeof ConsentSchema.Type

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
