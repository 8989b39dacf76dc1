import { Schema } from "effect"

import { unknownPlaceholder } from "./placeholders.js"
import { ButtonText, HtmlText, PopupText } from "./textSchemas.js"

/** The managers' side's texts (the take button, its pop-up, the reminder), with Russian defaults. */
export const ManagersTexts = Schema.Struct({
  take: Schema.optionalWith(ButtonText, { default: () => "🙋 Беру" }),
  taken_already: Schema.optionalWith(PopupText, { default: () => "Лид уже взял(а) {name}" }),
  sla_reminder: Schema.optionalWith(HtmlText, {
    default: () => "⏰ Лид ждёт ответа {minutes} мин: {brand} · {service} · {name}"
  })
})

/** Their placeholders (LocalesSchema's TEXT_PLACEHOLDERS lists them with every text's). */
export const MANAGERS_TEXT_PLACEHOLDERS = {
  /** The manager who took the lead (their first name). */
  taken_already: ["name"],
  /** How long the lead has waited, in working minutes; its brand, service and person's name (escaped). */
  sla_reminder: ["minutes", "brand", "service", "name"]
} as const

/** A reply template's placeholders: the person's first name, the lead's brand and service (escaped). */
export const TEMPLATE_PLACEHOLDERS = ["name", "brand", "service"] as const

/** `"templates": { "<key>": "<Telegram HTML>" }`: keys a manager types after `/t`; texts checked like every text. */
export const TemplatesSchema = Schema.Record({
  key: Schema.String.pipe(
    Schema.pattern(/^[a-z0-9_]{1,32}$/, { message: () => "expected a template key of a-z 0-9 _ (1-32)" })
  ),
  value: HtmlText
}).pipe(Schema.filter((templates) => {
  for (const [key, text] of Object.entries(templates)) {
    const message = unknownPlaceholder(text, TEMPLATE_PLACEHOLDERS)
    if (message !== undefined) return { path: [key], message }
  }
  return true
}))

/** `sla_minutes`: a lead nobody took or answered this long (working minutes) gets a reminder in its chat. */
export const SlaMinutes = Schema.Int.pipe(
  Schema.between(1, 1440, { message: () => "expected whole minutes from 1 to 1440" })
)
