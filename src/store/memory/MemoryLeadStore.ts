import { Context, Effect, Layer, Option } from "effect"

import type { Lead, LeadRecord, LeadWork } from "../../lead/Lead.js"
import { LeadStore } from "../LeadStore.js"
import { dueBy, retriedLater } from "./dueWork.js"
import { memoryLeadReconcile, notReconciling } from "./memoryLeadReconcile.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

const idle: LeadWork = { dueAt: Option.none(), retries: 0, wakes: 0 }

/** A person's taps on one service: the repeat-tap rule looks at the newest. */
const tapKey = (lead: Lead) => `${lead.contact.telegramId}:${lead.profile}:${lead.serviceId}`

const oldestFirst = (a: LeadRecord, b: LeadRecord) => a.lead.createdAt - b.lead.createdAt
/** A person's leads as the SQL stores list them: by creation, then by id. */
const byCreationThenId = (a: LeadRecord, b: LeadRecord) =>
  oldestFirst(a, b) || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0)

/** The memory outbox's leads as they stand, with when each was first answered: what MemoryStats counts. */
export class MemoryLeadRows extends Context.Tag("MemoryLeadRows")<MemoryLeadRows, {
  readonly all: () => ReadonlyArray<{
    readonly record: LeadRecord
    readonly firstReplyAt: number | undefined
    readonly firstReplyBy: number | undefined
  }>
}>() {}

/** The outbox in memory (unit tests, the demo), under the SQL stores' rules; a restart forgets it. */
export const MemoryLeadStore = Layer.effectContext(
  Effect.sync(() => {
    const leads = new MemoryTable<string, LeadRecord>()
    /** The lead each tap made: one lead per tap (the SQL stores' unique index). */
    const taps = new MemoryTable<string, string>()
    /** The newest lead's time per person and service, so that a repeat tap is found without a scan. */
    const newestTaps = new MemoryTable<string, number>()
    const confirmed = new MemoryTable<string, number>()
    /** When a manager's first message reached the lead's person, and whose it was. */
    const firstReplies = new MemoryTable<string, { readonly at: number; readonly by: number }>()
    /** Not taken, not answered, not out of reminders: the lead's reminder is due at `nextAt`. */
    const remindable = (r: LeadRecord) => Option.isNone(r.taken) && !firstReplies.has(r.lead.id)

    /** Changes a lead that exists; false when it does not. */
    const change = (leadId: string, f: (r: LeadRecord) => LeadRecord | undefined) =>
      write((unit) => {
        const record = leads.get(leadId)
        const changed = record === undefined ? undefined : f(record)
        if (changed === undefined) return false
        leads.set(unit, leadId, changed)
        return true
      })
    const changeWork = (leadId: string, f: (w: LeadWork) => LeadWork) =>
      change(leadId, (r) => ({ ...r, work: f(r.work) })).pipe(Effect.asVoid)
    const wake = (leadId: string, at: number) =>
      changeWork(leadId, (w) => ({ ...w, wakes: w.wakes + 1, dueAt: Option.orElse(w.dueAt, () => Option.some(at)) }))
    const listed = (keep: (r: LeadRecord) => boolean) => read(() => leads.values().filter(keep).sort(oldestFirst))
    const theirLeads = (telegramId: number) =>
      leads.values().filter((r) => r.lead.contact.telegramId === telegramId).sort(byCreationThenId)

    const store = LeadStore.of({
      record: (lead, repeatSince) =>
        write((unit) => {
          const newest = newestTaps.get(tapKey(lead)) ?? -Infinity
          if (taps.has(lead.tapId) || newest >= repeatSince) return false
          taps.set(unit, lead.tapId, lead.id)
          newestTaps.set(unit, tapKey(lead), Math.max(newest, lead.createdAt))
          leads.set(unit, lead.id, {
            lead,
            outcome: Option.none(),
            attempts: [],
            handled: Option.none(),
            handledShown: false,
            card: Option.none(),
            taken: Option.none(),
            takenShown: false,
            reminders: { sent: 0, nextAt: Option.none() },
            answered: false,
            crm: { ref: Option.none(), maybeThere: false },
            reconcile: notReconciling,
            work: { ...idle, dueAt: Option.some(lead.createdAt) }
          })
          return true
        }),
      get: (leadId) => read(() => Option.fromNullable(leads.get(leadId))),
      markConfirmed: (leadId, at) =>
        write((unit) => {
          if (leads.has(leadId) && !confirmed.has(leadId)) confirmed.set(unit, leadId, at)
        }),
      owedConfirmation: (tapId) =>
        read(() => {
          const leadId = taps.get(tapId)
          const record = leadId === undefined || confirmed.has(leadId) ? undefined : leads.get(leadId)
          return Option.map(Option.fromNullable(record), (r) => r.lead)
        }),
      // The first outcome stands (the SQL stores' `WHERE outcome IS NULL`); false only for a lead that is gone.
      setOutcome: (leadId, outcome) =>
        write((unit) => {
          const record = leads.get(leadId)
          if (record === undefined) return false
          if (Option.isNone(record.outcome)) leads.set(unit, leadId, { ...record, outcome: Option.some(outcome) })
          return true
        }),
      recordAttempt: (leadId, attempt) =>
        change(leadId, (r) => ({ ...r, attempts: [...r.attempts, attempt] })).pipe(Effect.asVoid),
      markHandled: (leadId, handled) =>
        change(leadId, (r) =>
          Option.isSome(r.handled) || Option.isSome(r.reconcile.reconciledAt) ? undefined : {
            ...r,
            handled: Option.some(handled),
            reconcile: { ...r.reconcile, dueAt: Option.none() },
            work: {
              ...r.work,
              wakes: r.work.wakes + 1,
              dueAt: Option.orElse(r.work.dueAt, () => Option.some(handled.at))
            }
          }),
      markHandledShown: (leadId) => change(leadId, (r) => ({ ...r, handledShown: true })).pipe(Effect.asVoid),
      wake,
      // One process's store: no lease of another holds a lead.
      due: (now, limit) =>
        read(() =>
          leads.values()
            .flatMap((r) => Option.toArray(Option.map(dueBy(r.work, now), (at) => ({ id: r.lead.id, at }))))
            .sort((a, b) => a.at - b.at)
            .slice(0, limit)
            .map((due) => due.id)
        ),
      retryLater: (leadId, at) => changeWork(leadId, (w) => retriedLater(w, at)),
      settle: (leadId, wakes) =>
        change(leadId, (r) => (r.work.wakes !== wakes ? undefined : { ...r, work: { ...idle, wakes } })),
      moveFallback: (leadId, chatId, messageId) =>
        change(leadId, (r) =>
          Option.isSome(r.outcome) && r.outcome.value._tag === "Fallback"
            ? { ...r, outcome: Option.some({ ...r.outcome.value, chatId: Option.some(chatId), messageId }) }
            : undefined).pipe(Effect.asVoid),
      setCard: (leadId, messageId) =>
        change(leadId, (r) => (Option.isSome(r.card) ? undefined : { ...r, card: Option.some(messageId) })).pipe(
          Effect.asVoid
        ),
      markFirstReply: (leadId, at, by) =>
        write((unit) => {
          const record = leads.get(leadId)
          if (record === undefined || firstReplies.has(leadId)) return false
          firstReplies.set(unit, leadId, { at, by })
          leads.set(unit, leadId, {
            ...record,
            answered: true,
            reminders: { ...record.reminders, nextAt: Option.none() }
          })
          return true
        }),
      take: (leadId, taker) =>
        write((unit) => {
          const record = leads.get(leadId)
          if (record === undefined) return Option.none()
          if (Option.isSome(record.taken)) return Option.some({ won: false, taker: record.taken.value })
          leads.set(unit, leadId, {
            ...record,
            taken: Option.some(taker),
            reminders: { ...record.reminders, nextAt: Option.none() },
            work: {
              ...record.work,
              wakes: record.work.wakes + 1,
              dueAt: Option.orElse(record.work.dueAt, () => Option.some(taker.at))
            }
          })
          return Option.some({ won: true, taker })
        }),
      markTakenShown: (leadId) =>
        change(leadId, (r) => ({ ...r, takenShown: Option.isSome(r.taken) })).pipe(Effect.asVoid),
      scheduleReminder: (leadId, at) =>
        change(leadId, (r) =>
          Option.isSome(r.reminders.nextAt) || r.reminders.sent > 0 || !remindable(r)
            ? undefined
            : { ...r, reminders: { sent: 0, nextAt: Option.some(at) } }).pipe(Effect.asVoid),
      remindersDue: (now, limit) =>
        read(() =>
          leads.values().filter(remindable)
            .flatMap((r) =>
              Option.toArray(
                Option.map(Option.filter(r.reminders.nextAt, (at) => at <= now), (at) => ({ id: r.lead.id, at }))
              )
            )
            .sort((a, b) => a.at - b.at)
            .slice(0, limit)
            .map((due) => due.id)
        ),
      setCrmRef: (leadId, ref) =>
        change(leadId, (r) => ({ ...r, crm: { ref: Option.some(ref), maybeThere: false } })).pipe(Effect.asVoid),
      markMaybeInCrm: (leadId, maybe) =>
        change(leadId, (r) => ({ ...r, crm: { ...r.crm, maybeThere: maybe } })).pipe(Effect.asVoid),
      postponeReminder: (leadId, at) =>
        change(
          leadId,
          (r) =>
            Option.isNone(r.reminders.nextAt)
              ? undefined
              : { ...r, reminders: { ...r.reminders, nextAt: Option.some(at) } }
        ).pipe(Effect.asVoid),
      reminded: (leadId, sent, next) =>
        change(
          leadId,
          (r) => (r.reminders.sent !== sent - 1 ? undefined : { ...r, reminders: { sent, nextAt: next } })
        ),
      undelivered: listed((r) => Option.isNone(r.outcome)),
      awaitingEntry: listed((r) =>
        Option.isSome(r.outcome) && r.outcome.value._tag === "Fallback" && Option.isNone(r.handled) &&
        Option.isNone(r.reconcile.reconciledAt)
      ),
      ...memoryLeadReconcile(() => leads.values(), change),
      ofPerson: (telegramId) => read(() => theirLeads(telegramId)),
      // All a lead row holds in SQL goes with it: its tap, confirmation, first reply, the repeat-tap rule's time.
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = theirLeads(telegramId)
          for (const { lead } of theirs) {
            leads.delete(unit, lead.id)
            taps.delete(unit, lead.tapId)
            newestTaps.delete(unit, tapKey(lead))
            confirmed.delete(unit, lead.id)
            firstReplies.delete(unit, lead.id)
          }
          return { leads: theirs, attempts: theirs.reduce((n, r) => n + r.attempts.length, 0) }
        })
    })
    const rows = MemoryLeadRows.of({
      all: () =>
        leads.values().map((record) => {
          const first = firstReplies.get(record.lead.id)
          return { record, firstReplyAt: first?.at, firstReplyBy: first?.by }
        })
    })
    return Context.make(LeadStore, store).pipe(Context.add(MemoryLeadRows, rows))
  })
)
