import { Option } from "effect"

import type { ConsentRecord } from "../lead/Consent.js"
import type { LeadRecord } from "../lead/Lead.js"
import { managerTime } from "../managers/views/render.js"
import { escapeHtml } from "../telegram/escapeHtml.js"

/** Everything the store keeps about one person, as /mydata reads it. */
export interface KeptAbout {
  readonly telegramId: number
  readonly leads: ReadonlyArray<LeadRecord>
  readonly followUps: number
  readonly phone: Option.Option<string>
  readonly managersMessages: number
  readonly starts: number
  readonly consents: ReadonlyArray<ConsentRecord>
}

const whereItIs = (record: LeadRecord) =>
  Option.match(record.outcome, {
    onNone: () => "ещё в пути к менеджерам",
    onSome: (o) => (o._tag === "Crm" ? "передана в CRM агентства" : "передана менеджерам в Telegram")
  })

const consentLine = (record: ConsentRecord, timeZone: string) =>
  `• версия ${escapeHtml(record.version)}: дано ${managerTime(record.acceptedAt, timeZone)}${
    Option.match(record.withdrawnAt, { onNone: () => "", onSome: (at) => `, отозвано ${managerTime(at, timeZone)}` })
  }`

/**
 * `/mydata` (152-FZ art. 14): what the bot keeps about the person, in plain Russian, and how to delete it. The
 * consent log is listed too: it stays after a deletion, as the proof the law asks for.
 */
export const myDataHtml = (title: string, kept: KeptAbout, timeZone: string): string => {
  const { consents, followUps, leads, managersMessages, phone, starts } = kept
  const nothing = leads.length === 0 && followUps === 0 && Option.isNone(phone) && managersMessages === 0 &&
    starts === 0
  const lines = [
    title,
    "",
    ...(nothing ? ["Сейчас бот не хранит о вас ничего, кроме записей о согласии (если вы его давали)."] : [
      `Telegram ID: <code>${kept.telegramId}</code>; имя и username из Telegram — в заявках.`,
      ...(leads.length === 0 ? ["Заявок нет."] : [
        `Заявки (${leads.length}):`,
        ...leads.map((r) =>
          `• ${escapeHtml(r.lead.brandName)} — ${escapeHtml(r.lead.title)}, ${
            managerTime(r.lead.createdAt, timeZone)
          } — ${whereItIs(r)}`
        )
      ]),
      ...Option.match(phone, { onNone: () => [], onSome: (p) => [`Телефон: ${escapeHtml(p)}`] }),
      `Ваших сообщений после заявок: ${followUps}`,
      `Сообщений менеджеров вам: ${managersMessages}`,
      `Переходов по ссылкам брендов: ${starts}`
    ]),
    "",
    ...(consents.length === 0
      ? ["Согласие на обработку данных: не давалось."]
      : ["Согласие на обработку данных:", ...consents.map((c) => consentLine(c, timeZone))]),
    "",
    nothing ? "Удалять нечего." : "Удалить всё это: /forget"
  ]
  return lines.join("\n")
}
