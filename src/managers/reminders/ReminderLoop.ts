import { Clock, Effect, Metric, Option } from "effect"

import { Attempts } from "../../concurrency/Attempts.js"
import { makeDueWorker } from "../../concurrency/DueWorker.js"
import { PeopleFirst } from "../../concurrency/PeopleFirst.js"
import { AppConfig } from "../../config/AppConfig.js"
import { fallbackChatOf, type LeadRecord } from "../../lead/Lead.js"
import { labelled, slaReminders } from "../../metrics/metrics.js"
import { fillText } from "../../profiles/LocalesSchema.js"
import { Profiles } from "../../profiles/Profiles.js"
import { AdminMessages } from "../../store/AdminMessages.js"
import { LeadStore } from "../../store/LeadStore.js"
import { Transactor } from "../../store/Transactor.js"
import { escapeHtml } from "../../telegram/escapeHtml.js"
import { ManagersRooms } from "../room/ManagersRooms.js"
import { PersonTopics } from "../room/PersonTopics.js"
import { ReminderClock } from "./ReminderClock.js"

const remindersOf = labelled(slaReminders, "brand")
/** A reminder that could not be sent is tried again this much later. */
const RETRY_MS = 60_000

/**
 * Reminders of leads nobody took or answered in time (a brand's `sla_minutes`): one in the lead's managers' chat,
 * as a reply to its message (in the person's topic in a forum), then every `sla_minutes` again, at most three; each
 * counted in the store as it goes out, by one process at a time (a lead's reminder lease).
 */
export class ReminderLoop extends Effect.Service<ReminderLoop>()("ReminderLoop", {
  scoped: Effect.gen(function*() {
    const leads = yield* LeadStore
    const rooms = yield* ManagersRooms
    const topics = yield* PersonTopics
    const clock = yield* ReminderClock
    const adminMessages = yield* AdminMessages
    const attempts = yield* Attempts
    const { texts } = yield* Profiles
    const { promptly } = yield* Transactor
    const { adminChatId, deliveryLeaseSeconds } = yield* AppConfig

    /** The lead's message in its brand's chat: its fallback there, or its card. */
    const messageOf = ({ card, lead, outcome }: LeadRecord) =>
      Option.orElse(
        Option.flatMap(outcome, (o) =>
          o._tag === "Fallback" && fallbackChatOf(o, adminChatId) === rooms.of(lead.profile).chat.id
            ? Option.some(o.messageId)
            : Option.none()),
        () =>
          card
      )

    const remind = (record: LeadRecord, nth: number, minutes: number) => {
      const { lead } = record
      const room = rooms.of(lead.profile)
      const text = fillText(texts, "sla_reminder", {
        minutes: String(minutes),
        brand: escapeHtml(lead.brandName),
        service: escapeHtml(lead.title),
        name: escapeHtml(lead.contact.fullName || "профиль")
      })
      return topics.inTopic(
        room,
        { contact: lead.contact, brand: lead.profile },
        (thread) => room.send(text, { reply: Option.getOrUndefined(messageOf(record)), thread })
      ).pipe(
        Effect.flatMap((message) =>
          promptly(
            leads.reminded(lead.id, nth, Option.map(clock.due(lead, nth + 1), (d) => d.at)).pipe(
              Effect.zipLeft(adminMessages.record([{
                chatId: room.chat.id,
                messageId: message.message_id,
                telegramId: lead.contact.telegramId,
                leadId: lead.id
              }]))
            )
          )
        )
      )
    }

    const process = (leadId: string) =>
      Effect.gen(function*() {
        const record = yield* leads.get(leadId)
        const now = yield* Clock.currentTimeMillis
        if (Option.isNone(record) || Option.isSome(record.value.taken)) return
        const { lead, reminders } = record.value
        if (!Option.exists(reminders.nextAt, (at) => at <= now)) return
        const nth = reminders.sent + 1
        const due = clock.due(lead, nth)
        if (Option.isNone(due)) return yield* promptly(leads.reminded(lead.id, nth, Option.none()))
        const sent = yield* attempts.one(remind(record.value, nth, due.value.minutes)).pipe(
          Effect.catchAll((e) =>
            Effect.logWarning(`reminder not sent yet, tried again in a minute: ${e.message}`).pipe(
              Effect.zipRight(promptly(leads.postponeReminder(lead.id, now + RETRY_MS))),
              Effect.as(false)
            )
          )
        )
        if (sent) {
          yield* Metric.increment(remindersOf(lead.profile))
          yield* Effect.logInfo(`reminder ${nth} sent: nobody took or answered the lead`)
        }
      }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`reminders paused: ${e.message}`)),
        Effect.annotateLogs({ lead: leadId })
      )

    const worker = yield* makeDueWorker({
      kind: "reminder",
      leaseMillis: deliveryLeaseSeconds * 1000,
      due: leads.remindersDue,
      process,
      beforeStop: attempts.drain
    })
    return { awaitIdle: worker.awaitIdle } as const
  }),
  dependencies: [
    ReminderClock.Default,
    ManagersRooms.Default,
    PersonTopics.Default,
    Attempts.Default,
    PeopleFirst.Default
  ]
}) {}
