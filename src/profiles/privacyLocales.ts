import { Schema } from "effect"

import { placeholdersKnown } from "./placeholders.js"
import { ButtonText, HtmlText, PopupText } from "./textSchemas.js"

/** The texts of consent (shown when locales.json has a `consent` section), /mydata and /forget; Russian defaults. */
export const PrivacyTexts = Schema.Struct({
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
