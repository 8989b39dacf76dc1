import { Option } from "effect"

import type { ErasureStep, RequestedBy } from "../lead/Erasure.js"
import type { LeadRecord, Outcome } from "../lead/Lead.js"
import { fallbackChatOf } from "../lead/Lead.js"
import { managerTime } from "../managers/views/render.js"
import { escapeHtml } from "../telegram/escapeHtml.js"

type Step = Omit<ErasureStep, "seq" | "done">

export const ERASED_HTML = "🗑 <b>Данные удалены по запросу человека</b>"
export const ERASED_TOPIC = "🗑 Данные удалены"

/** What is known when the person's data has just been deleted: their leads as they stood, and where they were. */
export interface Erased {
  readonly leads: ReadonlyArray<LeadRecord>
  /** The bot's messages about them in the managers' chats. */
  readonly messages: ReadonlyArray<{ readonly chatId: number; readonly messageId: number }>
  readonly topics: ReadonlyArray<{ readonly chatId: number; readonly threadId: number }>
  readonly by: RequestedBy
  /** ADMIN_CHAT_ID: the chat of a fallback posted before each one's chat was recorded. */
  readonly adminChatId: number
  /** The managers' chat of a brand's leads. */
  readonly chatOf: (brand: string) => number
  readonly timeZone: string
}

const leadLine = (record: LeadRecord, timeZone: string) =>
  `• ${escapeHtml(record.lead.brandName)} · ${escapeHtml(record.lead.title)} · ${
    managerTime(record.lead.createdAt, timeZone)
  } (лид <code>${escapeHtml(record.lead.id)}</code>)`

/** Which of a lead's messages in the managers' chats carry its brand and service: its fallback and its card. */
const leadMessages = (record: LeadRecord, adminChatId: number, chatOf: (brand: string) => number) => [
  ...Option.match(record.outcome, {
    onNone: () => [],
    onSome: (o) => (o._tag === "Fallback" ? [[fallbackChatOf(o, adminChatId), o.messageId] as const] : [])
  }),
  ...Option.toArray(record.card).map((messageId) => [chatOf(record.lead.profile), messageId] as const)
]

/**
 * The managers' notice in one chat: the leads of its brands, by where they stand; what the agency still holds of the
 * person (a lead in its CRM, or entered there by hand from a fallback) is the agency's to delete.
 */
export const noticeHtml = (leads: ReadonlyArray<LeadRecord>, by: RequestedBy, timeZone: string): string => {
  const inCrm = leads.filter((r) => Option.isSome(r.outcome) && r.outcome.value._tag === "Crm")
  const fallback = leads.filter((r) => Option.isSome(r.outcome) && r.outcome.value._tag === "Fallback")
  const pending = leads.filter((r) => Option.isNone(r.outcome))
  const section = (heading: string, records: ReadonlyArray<LeadRecord>) =>
    records.length === 0 ? [] : ["", heading, ...records.map((r) => leadLine(r, timeZone))]
  return [
    `🗑 <b>Человек удалил свои данные</b> (${
      by === "person" ? "сам, командой /forget" : "по запросу через оператора"
    }).`,
    "Сообщения бота о нём в этом чате очищены.",
    ...section("<b>Его лиды в CRM — удалите их там:</b>", inCrm),
    ...section("<b>Были здесь (если вносили в CRM вручную — удалите там):</b>", fallback),
    ...section("<b>Не дошли до людей и доставлены не будут:</b>", pending)
  ].join("\n")
}

/**
 * The steps that clean the managers' chats: every bot message about the person edited (a lead's fallback or card
 * keeps its brand and service), their topics renamed, then one notice in each chat that had their leads.
 */
export const erasureSteps = (erased: Erased): ReadonlyArray<Step> => {
  const { adminChatId, by, chatOf, leads, messages, timeZone, topics } = erased
  // Every message recorded about them, and each lead's own (a fallback posted before messages were recorded too).
  const targets = new Map<string, { chatId: number; messageId: number; label?: string }>()
  for (const { chatId, messageId } of messages) targets.set(`${chatId}:${messageId}`, { chatId, messageId })
  for (const record of leads) {
    for (const [chatId, messageId] of leadMessages(record, adminChatId, chatOf)) {
      const label = `${escapeHtml(record.lead.brandName)} · ${escapeHtml(record.lead.title)}`
      targets.set(`${chatId}:${messageId}`, { chatId, messageId, label })
    }
  }
  const edits = [...targets.values()].map(({ chatId, label, messageId }): Step => ({
    kind: "edit",
    chatId,
    targetId: Option.some(messageId),
    text: label === undefined ? ERASED_HTML : `${ERASED_HTML}\n${label}`
  }))
  const renames = topics.map(({ chatId, threadId }): Step => ({
    kind: "topic",
    chatId,
    targetId: Option.some(threadId),
    text: ERASED_TOPIC
  }))
  const chats = [...new Set(leads.map((r) => chatOf(r.lead.profile)))]
  const notices = chats.map((chatId): Step => ({
    kind: "notice",
    chatId,
    targetId: Option.none(),
    text: noticeHtml(leads.filter((r) => chatOf(r.lead.profile) === chatId), by, timeZone)
  }))
  return [...edits, ...renames, ...notices]
}

/**
 * A lead that reached a human while its person was being forgotten (its attempt was under way): its fallback message
 * is cleaned, and the managers are told; a lead the CRM took is the agency's to delete there.
 */
export const lateSteps = (record: Pick<LeadRecord, "lead">, outcome: Outcome, chatId: number): ReadonlyArray<Step> => {
  const service = `${escapeHtml(record.lead.brandName)} · ${escapeHtml(record.lead.title)}`
  const label = `«${service}» (лид <code>${escapeHtml(record.lead.id)}</code>)`
  return outcome._tag === "Fallback"
    ? [
      { kind: "edit", chatId, targetId: Option.some(outcome.messageId), text: `${ERASED_HTML}\n${service}` },
      {
        kind: "notice",
        chatId,
        targetId: Option.none(),
        text: `⚠️ Лид ${label} дошёл до этого чата, пока данные человека удалялись по его запросу: сообщение очищено.`
      }
    ]
    : [{
      kind: "notice",
      chatId,
      targetId: Option.none(),
      text: `⚠️ Лид ${label} попал в CRM, пока данные человека удалялись по его запросу: удалите его в CRM.`
    }]
}

/** Messages posted about a person while they were being forgotten (a follow-up, a mark): cleaned like the rest. */
export const postedSteps = (chatId: number, posted: ReadonlyArray<number>): ReadonlyArray<Step> =>
  posted.map((messageId) => ({ kind: "edit", chatId, targetId: Option.some(messageId), text: ERASED_HTML }))
