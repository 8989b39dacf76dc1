import { Option } from "effect"

import { type DeliveryAttempt, fallbackChatOf, type LeadRecord } from "../../lead/Lead.js"
import { escapeHtml } from "../../telegram/escapeHtml.js"
import { adminAttemptRu, crmAttemptRu } from "../views/attemptWording.js"
import { adminMessageLink, contactHtml, managerTime } from "../views/render.js"

const LISTED = 20

/** Where the report is read: the admin chat (for message links) and the managers' time zone. */
export interface ReportContext {
  /** ADMIN_CHAT_ID: the chat of a fallback posted before each one's chat was recorded. */
  readonly adminChatId: number
  readonly timeZone: string
  readonly now: number
}

const minutesWaited = (record: LeadRecord, now: number) =>
  Math.max(0, Math.round((now - record.lead.createdAt) / 60_000))

const head = (record: LeadRecord, time: (at: number) => string) =>
  `• ${escapeHtml(record.lead.brandName)} — ${escapeHtml(record.lead.title)} — ${
    contactHtml(record.lead.contact)
  } — с ${time(record.lead.createdAt)}`

/** A round's errors as managers read them: the CRM's, and the managers' chat's when the fallback failed too. */
export const attemptErrors = (attempt: DeliveryAttempt): string =>
  Option.match(attempt.adminError, {
    onNone: () => crmAttemptRu(attempt.error),
    onSome: (admin) => `${crmAttemptRu(attempt.error)}; ${adminAttemptRu(admin)}`
  })

/**
 * A lead that reached no human: its rounds (a CRM try and the fallback after it are one) and the last one's
 * errors. None yet: the first round is under way, or waits for its turn.
 */
const undeliveredLine = (record: LeadRecord, time: (at: number) => string) => {
  const last = record.attempts[record.attempts.length - 1]
  const tries = last
    ? `попыток: ${record.attempts.length}, последняя: ${escapeHtml(attemptErrors(last))} (${time(last.at)})`
    : "первая попытка ещё не закончилась"
  return `${head(record, time)}; ${tries}`
}

/** A fallback lead no manager has marked entered: a link to its message where Telegram has one. */
const awaitingLine = (record: LeadRecord, time: (at: number) => string, adminChatId: number) => {
  const link = record.outcome._tag === "Some" && record.outcome.value._tag === "Fallback"
    ? adminMessageLink(fallbackChatOf(record.outcome.value, adminChatId), record.outcome.value.messageId)
    : undefined
  return `${head(record, time)}${link === undefined ? "" : ` — <a href="${link}">сообщение</a>`}`
}

/** One list: its heading with the count and the oldest wait, the oldest first, the rest counted. */
const section = (heading: string, records: ReadonlyArray<LeadRecord>, now: number, line: (r: LeadRecord) => string) => [
  `${heading}: ${records.length}</b>`,
  `Самый старый ждёт ${minutesWaited(records[0]!, now)} мин.`,
  ``,
  ...records.slice(0, LISTED).map(line),
  ...(records.length > LISTED ? [`… и ещё ${records.length - LISTED}`] : [])
]

/** `/pending`: leads that reached no human yet, then fallback leads not entered into the CRM yet (oldest first). */
export const pendingReportHtml = (
  undelivered: ReadonlyArray<LeadRecord>,
  awaiting: ReadonlyArray<LeadRecord>,
  { adminChatId, now, timeZone }: ReportContext
): string => {
  if (undelivered.length === 0 && awaiting.length === 0) return "✅ Все лиды дошли до людей: ожидающих нет."
  const time = (at: number) => managerTime(at, timeZone)
  return [
    ...(undelivered.length === 0
      ? ["✅ Все лиды дошли до людей."]
      : section("⏳ <b>Лидов, не дошедших до людей", undelivered, now, (r) => undeliveredLine(r, time))),
    ``,
    ...(awaiting.length === 0
      ? ["✅ Все лиды из запасного канала внесены в CRM."]
      : section("📝 <b>Ждут внесения в CRM вручную", awaiting, now, (r) => awaitingLine(r, time, adminChatId)))
  ].join("\n")
}
