import { Option } from "effect"

import type { Lead, Media } from "../lead/Lead.js"
import type { EarlyFollowUp, LeadExtras } from "./Crm.js"

/**
 * The texts a native CRM gets about a lead, in Russian as the managers read them: what the fields cannot hold
 * (Telegram name, @username, id, service, campaign, lead id), and the conversation afterwards.
 */

const MEDIA_LABELS: Record<Media, string> = {
  photo: "фото",
  document: "документ",
  video: "видео",
  voice: "голосовое сообщение"
}

/** `[фото] <caption>` for media (the file itself stays in the managers' chat), else the text. */
export const withMedia = (media: Option.Option<Media>, text: string): string =>
  Option.match(media, {
    onNone: () => text,
    onSome: (kind) => (text.trim() === "" ? `[${MEDIA_LABELS[kind]}]` : `[${MEDIA_LABELS[kind]}] ${text}`)
  })

/** `@username`, or `—` for a person without one. */
export const usernameOf = (lead: Lead): string =>
  Option.match(lead.contact.username, { onNone: () => "—", onSome: (u) => `@${u}` })

/** Who the person is on Telegram, in one line: `Galliard, @betterrman, id 501`. */
export const telegramLine = (lead: Lead): string =>
  [
    lead.contact.fullName,
    Option.getOrUndefined(Option.map(lead.contact.username, (u) => `@${u}`)),
    `id ${lead.contact.telegramId}`
  ].filter((part) => part !== undefined).join(", ")

const campaignOf = (lead: Lead): string => Option.getOrElse(lead.campaign, () => "—")

/** The service and the campaign, a line each (Bitrix24's COMMENTS; part of amoCRM's first note). */
export const serviceLines = (lead: Lead): ReadonlyArray<string> => [
  `Услуга: ${lead.title}`,
  `Кампания: ${campaignOf(lead)}`
]

const earlyLines = (followUps: ReadonlyArray<EarlyFollowUp>): ReadonlyArray<string> =>
  followUps.length === 0 ? [] : ["", "Сообщения до передачи в CRM:", ...followUps.map((f) => `— ${f.text}`)]

/** amoCRM's first note on a lead: what a manager needs that its fields cannot hold. */
export const introNoteText = (lead: Lead, extras: LeadExtras): string =>
  [
    "Заявка из Telegram-бота",
    `Имя в Telegram: ${lead.contact.fullName}`,
    `Username: ${usernameOf(lead)}`,
    `Telegram ID: ${lead.contact.telegramId}`,
    ...serviceLines(lead),
    `ID заявки: ${lead.id}`,
    ...earlyLines(extras.followUps)
  ].join("\n")

/** Bitrix24's COMMENTS: the service, the campaign, the lead id, what the person wrote before it reached Bitrix24. */
export const commentsText = (lead: Lead, extras: LeadExtras): string =>
  [...serviceLines(lead), `ID заявки: ${lead.id}`, ...earlyLines(extras.followUps)].join("\n")

/** A follow-up as a note: its text, or `[фото] <caption>`. */
export const followUpNoteText = (media: Option.Option<Media>, text: string): string => withMedia(media, text)

/** A manager's reply relayed to the person: `Менеджер Анна: …` (a file's caption as `[вложение] …`). */
export const managerReplyNoteText = (manager: string, text: string, withFile = false): string =>
  `${manager === "" ? "Менеджер" : `Менеджер ${manager}`}: ${
    withFile ? (text.trim() === "" ? "[вложение]" : `[вложение] ${text}`) : text
  }`

/** A later message of the person: `Клиент: …`. */
export const personMessageNoteText = (media: Option.Option<Media>, text: string): string =>
  `Клиент: ${withMedia(media, text)}`
