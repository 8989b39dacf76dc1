import { Match, Option } from "effect"

import { answerLost, type CrmError } from "../../crm/CrmError.js"
import type { Utm } from "../../lead/Campaign.js"
import type { Contact, FollowUp, Lead, Media } from "../../lead/Lead.js"
import { escapeHtml, userLink } from "../../telegram/escapeHtml.js"

/** The reason of a failure after which the CRM may have the lead: it said nothing in time, or broke off mid-answer. */
export const AMBIGUOUS_REASON = "CRM не ответила вовремя — лид может уже быть в CRM"

/**
 * The "Причина:" line of the fallback message, in plain Russian: one per error, or, when the CRM may have taken the
 * lead after all (so a manager checks before entering it), that. Plain text: escape before HTML.
 */
export const fallbackReasonRu = (error: CrmError): string => (answerLost(error) ? AMBIGUOUS_REASON : reasonRu(error))

/** The plain failure, one line per error. */
export const reasonRu: (error: CrmError) => string = Match.type<CrmError>().pipe(
  Match.tagsExhaustive({
    CrmConnectionError: (e) => `CRM-сервер недоступен (ошибка соединения): ${e.detail}`,
    CrmHttpStatusError: (e) => `CRM ответила ошибкой: HTTP ${e.status}${e.bodyExcerpt ? ` — ${e.bodyExcerpt}` : ""}`,
    CrmTimeoutError: (e) => `CRM не ответила за ${e.timeoutMs / 1000} с (таймаут)`,
    CrmClientError: (e) => `ошибка HTTP-клиента: ${e.detail}`,
    CrmUnknownError: (e) => `непредвиденная ошибка: ${e.detail}`
  })
)

/** How managers reach the person: the @handle when there is one, else a profile link (never "@None"). */
export const contactHtml = (contact: Contact): string =>
  Option.match(contact.username, {
    onSome: (username) => `@${escapeHtml(username)}`,
    onNone: () => `${userLink(contact.telegramId, contact.fullName || "профиль")} (без username)`
  })

/**
 * Where the lead came from, when a campaign brought it: `<b>Источник:</b> vk_spring (vk / cpc / spring26)` (the
 * campaign's UTM source, medium and campaign, those listed); nothing without one.
 */
export const sourceLines = (lead: Lead, utm: Utm): Array<string> =>
  Option.match(lead.campaign, {
    onNone: () => [],
    onSome: (code) => {
      const listed = [utm.utm_source, utm.utm_medium, utm.utm_campaign].filter((v) => v !== undefined)
      return [`<b>Источник:</b> ${escapeHtml(code)}${listed.length > 0 ? ` (${escapeHtml(listed.join(" / "))})` : ""}`]
    }
  })

/** The seed's fallback message, with every user-supplied string escaped and the reason stated. */
export const fallbackHtml = (lead: Lead, error: CrmError, utm: Utm): string =>
  [
    `⚠️ <b>[FALLBACK - CRM НЕДОСТУПНА]</b> ⚠️`,
    ``,
    `🔥 <b>НОВЫЙ ЛИД: ${escapeHtml(lead.brandName)}</b> 🔥`,
    ``,
    `❗️ <i>Важно: Этот лид НЕ был создан в AmoCRM автоматически.`,
    `Требуется ручное внесение.</i>`,
    ``,
    `<b>--- ДАННЫЕ ДЛЯ CRM ---</b>`,
    `<b>Запрос:</b> ${escapeHtml(lead.title)}`,
    `<b>Контакт:</b> ${contactHtml(lead.contact)}`,
    `<b>Имя:</b> ${escapeHtml(lead.contact.fullName)}`,
    `<b>Telegram ID:</b> <code>${lead.contact.telegramId}</code>`,
    ...sourceLines(lead, utm),
    `<b>--------------------------</b>`,
    ``,
    `<b>Причина:</b> ${escapeHtml(fallbackReasonRu(error))}`,
    ``,
    `<b>Задача:</b>`,
    `1. Внести лид в AmoCRM вручную.`,
    `2. Связаться с клиентом в Telegram.`
  ].join("\n")

/** What a follow-up's media is, as its line names it. */
export const mediaLabel = {
  photo: "фото",
  document: "документ",
  video: "видео",
  voice: "голосовое"
} as const satisfies Record<
  Media,
  string
>

/** One follow-up as a line of the smart edit: `Сообщение: [фото] caption`. */
export const followUpLine = (followUp: FollowUp): string => {
  const label = Option.map(followUp.media, (m) => `[${mediaLabel[m]}]`)
  return `Сообщение: ${[...Option.toArray(label), escapeHtml(followUp.text)].filter((s) => s !== "").join(" ")}`
}

/** The person's phone as a line of the data for the CRM. */
export const phoneLine = (phone: string): string => `<b>Телефон:</b> ${escapeHtml(phone)}`

/** The fallback message's data with the phone beside the Telegram ID (its line replaced if it had one). */
const withPhone = (originalHtml: string, phone: string): string => {
  const lines = originalHtml.split("\n").filter((line) => !line.startsWith("<b>Телефон:</b>"))
  const at = lines.findIndex((line) => line.startsWith("<b>Telegram ID:</b>"))
  return at < 0
    ? [...lines, phoneLine(phone)].join("\n")
    : [...lines.slice(0, at + 1), phoneLine(phone), ...lines.slice(at + 1)].join("\n")
}

/**
 * The fallback message after follow-ups: the person's latest phone among the data for the CRM; other follow-ups
 * appended in order, the message marked updated.
 */
export const smartEditHtml = (originalHtml: string, followUps: ReadonlyArray<FollowUp>): string => {
  const phone = followUps.filter((f) => f.phone).at(-1)
  const messages = followUps.filter((f) => !f.phone)
  const original = phone === undefined ? originalHtml : withPhone(originalHtml, phone.text)
  if (messages.length === 0) return original
  return [
    `✅ <b>ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!</b>`,
    ``,
    original,
    ``,
    `📎 <b>FOLLOW-UP:</b>`,
    ...messages.map(followUpLine)
  ].join("\n")
}

/** A follow-up's text as its own message (plain: sendInParts escapes it): a phone says what it is. */
export const followUpText = (followUp: FollowUp): string =>
  followUp.phone ? `📱 Телефон: ${followUp.text}` : followUp.text

/** The header of a follow-up sent as its own admin message (CRM lead, or overflow of a fallback). */
export const followUpHeader = (lead: Lead): string =>
  `📎 FOLLOW-UP от ${contactHtml(lead.contact)} (${escapeHtml(lead.profile.toUpperCase())}):`

/** ADMIN_NOTIFY=all: the short card of a lead the CRM took, so managers can answer the person too. */
export const cardHtml = (lead: Lead, utm: Utm): string =>
  [
    `🗂 <b>${escapeHtml(lead.brandName)}</b> · ${escapeHtml(lead.title)}`,
    `<b>Контакт:</b> ${contactHtml(lead.contact)}`,
    `<b>Имя:</b> ${escapeHtml(lead.contact.fullName)}`,
    ...sourceLines(lead, utm),
    `✅ в CRM`,
    ``,
    `<i>Ответьте на это сообщение, чтобы написать человеку.</i>`
  ].join("\n")

/** A moment as managers read it: "21.11.2026, 04:12" in their time zone. */
export const managerTime = (at: number, timeZone: string): string =>
  new Intl.DateTimeFormat("ru-RU", { timeZone, dateStyle: "short", timeStyle: "short" }).format(at)

/** A manager as the take line names them: `Анна (@anna)`, or the name alone, or the @handle alone. */
export const takerName = (user: { first_name: string; last_name?: string; username?: string }): string => {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ")
  return user.username === undefined ? name : name === "" ? `@${user.username}` : `${name} (@${user.username})`
}

/** The line a take adds to the lead's message: `Взял(а): Анна (@anna), 12:03`. */
export const takenHtml = (by: string, at: number, timeZone: string): string =>
  `<b>Взял(а):</b> ${escapeHtml(by)}, ${new Intl.DateTimeFormat("ru-RU", { timeZone, timeStyle: "short" }).format(at)}`

/** The line a manager's "✅ Внесено в CRM" adds: who, and when. */
export const handledHtml = (by: string, at: number, timeZone: string): string =>
  `✅ <b>Внесено в CRM:</b> ${escapeHtml(by)}, ${managerTime(at, timeZone)}`

/** The line a fallback gets when its CRM took it after all (reconciliation): when, in the managers' time. */
export const reconciledHtml = (at: number, timeZone: string): string =>
  `✅ <b>Доставлено в CRM автоматически</b>, ${managerTime(at, timeZone)}`

/** Under a lead both entered by hand and taken by its CRM: the managers check for the duplicate. */
export const DUPLICATE_WARNING = "⚠️ Лид попал в CRM автоматически, а его также внесли вручную — проверьте дубль"

/**
 * A link that opens a message of the admin chat, where Telegram has one: in a supergroup or channel
 * (`-100…` ids), for its members. None for a basic group or a private chat.
 */
export const adminMessageLink = (chatId: number, messageId: number): string | undefined => {
  const id = String(chatId)
  return id.startsWith("-100") && id.length > 4 ? `https://t.me/c/${id.slice(4)}/${messageId}` : undefined
}
