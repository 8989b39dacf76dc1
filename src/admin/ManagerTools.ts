import { Clock, Effect, FiberSet } from "effect"
import type { User } from "grammy/types"
import { AppConfig } from "../config/AppConfig.js"
import { deliveryBackoff } from "../delivery/backoff.js"
import { Delivery } from "../delivery/Delivery.js"
import type { LeadRecord } from "../store/LeadStore.js"
import { LeadStore } from "../store/LeadStore.js"
import { escapeHtml } from "../telegram/html.js"
import { UserChat } from "../funnel/UserChat.js"
import { AdminChat } from "./AdminChat.js"
import { adminMessageLink, contactHtml, managerTime } from "./render.js"

const PENDING_LISTED = 20

export const managerName = (user: User): string =>
  user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(" ") || `id ${user.id}`

/** What managers can do in the admin chat: mark a fallback lead as entered, and ask what has reached no one. */
export class ManagerTools extends Effect.Service<ManagerTools>()("ManagerTools", {
  scoped: Effect.gen(function* () {
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

    const waited = (record: LeadRecord, now: number) => Math.max(0, Math.round((now - record.lead.createdAt) / 60_000))

    const line = (record: LeadRecord) => {
      const last = record.attempts[record.attempts.length - 1]
      const tries = last ? `попыток: ${record.attempts.length}, последняя ошибка: ${escapeHtml(last.error)} (${time(last.at)})` : "ещё не пробовали"
      return `• ${escapeHtml(record.lead.brandName)} — ${escapeHtml(record.lead.title)} — ${contactHtml(record.lead.contact)} — с ${time(record.lead.createdAt)}; ${tries}`
    }

    const entryLine = (record: LeadRecord) => {
      const link = record.outcome._tag === "Some" && record.outcome.value._tag === "Fallback"
        ? adminMessageLink(adminChatId, record.outcome.value.messageId)
        : undefined
      const where = link === undefined ? "" : ` — <a href="${link}">сообщение</a>`
      return `• ${escapeHtml(record.lead.brandName)} — ${escapeHtml(record.lead.title)} — ${contactHtml(record.lead.contact)} — с ${time(record.lead.createdAt)}${where}`
    }

    /** A list for /pending: its heading with the count and the oldest wait, the oldest first, the rest counted. */
    const section = (heading: string, records: ReadonlyArray<LeadRecord>, now: number, render: (r: LeadRecord) => string) => [
      `${heading}: ${records.length}</b>`,
      `Самый старый ждёт ${waited(records[0]!, now)} мин.`,
      ``,
      ...records.slice(0, PENDING_LISTED).map(render),
      ...(records.length > PENDING_LISTED ? [`… и ещё ${records.length - PENDING_LISTED}`] : [])
    ]

    /** What waits for the managers: leads that reached no human yet, then fallback leads not yet entered into the CRM. */
    const pendingReport = Effect.gen(function* () {
      const undelivered = yield* leads.undelivered
      const awaiting = yield* leads.awaitingEntry
      if (undelivered.length === 0 && awaiting.length === 0) return "✅ Все лиды дошли до людей: ожидающих нет."
      const now = yield* Clock.currentTimeMillis
      return [
        ...(undelivered.length === 0
          ? ["✅ Все лиды дошли до людей."]
          : section("⏳ <b>Лидов, не дошедших до людей", undelivered, now, line)),
        ``,
        ...(awaiting.length === 0
          ? ["✅ Все лиды из запасного канала внесены в CRM."]
          : section("📝 <b>Ждут внесения в CRM вручную", awaiting, now, entryLine))
      ].join("\n")
    })

    // A /pending asked while the admin chat fails is answered (as things stand then) once it works again; one at a time.
    const retries = yield* FiberSet.make()
    const answerLater = pendingReport.pipe(
      Effect.flatMap(admin.send),
      Effect.tapError((e) => Effect.logWarning(`/pending not answered yet, retrying: ${e._tag === "TelegramError" ? admin.explain(e) : e.message}`)),
      Effect.retry(deliveryBackoff),
      Effect.zipRight(Effect.logInfo("/pending answered after the admin chat recovered"))
    )

    /** `/pending`: tried at once; if the admin chat fails, answered in the background when it recovers. */
    const pending = pendingReport.pipe(
      Effect.flatMap(admin.send),
      Effect.catchTag("TelegramError", (e) =>
        Effect.logWarning(`/pending not answered yet, retrying in the background: ${admin.explain(e)}`).pipe(
          Effect.zipRight(FiberSet.size(retries)),
          Effect.flatMap((running) => (running > 0 ? Effect.void : FiberSet.run(retries, answerLater, { propagateInterruption: false })))
        )),
      Effect.asVoid,
      Effect.withSpan("ManagerTools.pending")
    )

    return { pressHandled, pending, isAdminChat: (chatId: number | undefined) => chatId === adminChatId } as const
  })
}) {}

