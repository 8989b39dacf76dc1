import { Clock, Effect } from "effect"
import type { User } from "grammy/types"
import { AppConfig } from "../config/AppConfig.js"
import { Delivery } from "../delivery/Delivery.js"
import type { LeadRecord } from "../store/LeadStore.js"
import { LeadStore } from "../store/LeadStore.js"
import { escapeHtml } from "../telegram/html.js"
import { UserChat } from "../funnel/UserChat.js"
import { AdminChat } from "./AdminChat.js"
import { contactHtml, managerTime } from "./render.js"

const PENDING_LISTED = 20

export const managerName = (user: User): string =>
  user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(" ") || `id ${user.id}`

/** What managers can do in the admin chat: mark a fallback lead as entered, and ask what has reached no one. */
export class ManagerTools extends Effect.Service<ManagerTools>()("ManagerTools", {
  effect: Effect.gen(function* () {
    const userChat = yield* UserChat
    const delivery = yield* Delivery
    const leads = yield* LeadStore
    const admin = yield* AdminChat
    const { adminChatId, adminTimeZone } = yield* AppConfig

    /** "✅ Внесено в CRM": only from the admin chat; anyone else is refused politely. */
    const pressHandled = (from: User, chatId: number | undefined, queryId: string, leadId: string) =>
      chatId !== adminChatId
        ? userChat.answerTap(queryId, "Эта кнопка — для менеджеров в рабочем чате.")
        : delivery.markHandled(leadId, managerName(from)).pipe(
            Effect.flatMap((marked) => userChat.answerTap(queryId, marked ? "✅ Отмечено: лид внесён в CRM." : "Этот лид уже отмечен."))
          )

    const time = (at: number) => managerTime(at, adminTimeZone)

    const line = (record: LeadRecord) => {
      const last = record.attempts[record.attempts.length - 1]
      const tries = last ? `попыток: ${record.attempts.length}, последняя ошибка: ${escapeHtml(last.error)} (${time(last.at)})` : "ещё не пробовали"
      return `• ${escapeHtml(record.lead.brandName)} — ${escapeHtml(record.lead.title)} — ${contactHtml(record.lead.contact)} — с ${time(record.lead.createdAt)}; ${tries}`
    }

    /** `/pending`: leads that have reached no human yet (count, oldest, last error), the oldest first. */
    const pending = Effect.gen(function* () {
      const records = yield* leads.undelivered
      if (records.length === 0) return yield* admin.send("✅ Все лиды дошли до людей: ожидающих нет.")
      const now = yield* Clock.currentTimeMillis
      const oldest = records[0]!
      const minutes = Math.max(0, Math.round((now - oldest.lead.createdAt) / 60_000))
      const text = [
        `⏳ <b>Лидов, не дошедших до людей: ${records.length}</b>`,
        `Самый старый ждёт ${minutes} мин.`,
        ``,
        ...records.slice(0, PENDING_LISTED).map(line),
        ...(records.length > PENDING_LISTED ? [`… и ещё ${records.length - PENDING_LISTED}`] : [])
      ].join("\n")
      return yield* admin.send(text)
    }).pipe(Effect.asVoid, Effect.withSpan("ManagerTools.pending"))

    return { pressHandled, pending, isAdminChat: (chatId: number | undefined) => chatId === adminChatId } as const
  })
}) {}

