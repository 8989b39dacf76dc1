import { Schema } from "effect"

import { parseTelegramHtml } from "../telegram/parseTelegramHtml.js"

/** A key that is safe in callback data and in an environment variable name. */
export const Slug = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9_]{1,24}$/, { message: () => "expected lowercase letters, digits or _ (1-24)" })
)

export const Text = Schema.String.pipe(Schema.nonEmptyString({ message: () => "expected a non-empty text" }))

/** Telegram's limit on one message's text, after entity parsing. */
const MESSAGE_LIMIT = 4096
/** A pop-up (answerCallbackQuery) is plain text of at most 200 characters. */
const POPUP_LIMIT = 200

/** A text sent as a message: Telegram HTML as Telegram parses it, so a broken one stops start-up, not an answer. */
export const HtmlText = Text.pipe(Schema.filter((html) => {
  const parsed = parseTelegramHtml(html)
  if (!parsed.ok) return `not valid Telegram HTML: ${parsed.error.replace(/^Bad Request: can't parse entities: /, "")}`
  return parsed.text.length <= MESSAGE_LIMIT || `longer than Telegram's ${MESSAGE_LIMIT} characters`
}))

/** A text shown as a tap's pop-up: plain text (tags would show literally), at most 200 characters. */
export const PopupText = Text.pipe(Schema.filter((text) =>
  text.length > POPUP_LIMIT ?
    `a pop-up is at most ${POPUP_LIMIT} characters`
    : /<\/?[a-z-]+[^>]*>|&[a-z#0-9]+;/i.test(text) ?
    "a pop-up is plain text: Telegram shows tags and entities literally"
    : true
))

/** A button's label: plain text (tags would show literally). */
export const ButtonText = Text.pipe(
  Schema.filter((text) =>
    /<\/?[a-z-]+[^>]*>|&[a-z#0-9]+;/i.test(text) ? "a button's text is plain text: no tags or entities" : true
  )
)

export const Time = Schema.String.pipe(
  Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/, { message: () => "expected a time HH:MM from 00:00 to 23:59" })
)
