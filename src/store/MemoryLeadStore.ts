import { Array as Arr, Effect, HashMap, HashSet, Layer, Option, Order, Ref } from "effect"

import type { Lead, LeadRecord, LeadWork } from "../lead/Lead.js"
import { LeadStore } from "./LeadStore.js"

const idle: LeadWork = { dueAt: Option.none(), retries: 0, wakes: 0 }

const tapKey = (lead: Lead) => `${lead.contact.telegramId}:${lead.profile}:${lead.serviceId}`

/** In-memory outbox for unit tests and the demo; a restart forgets it (the SQLite store does not). */
export const MemoryLeadStore = Layer.effect(
  LeadStore,
  Effect.gen(function*() {
    const leads = yield* Ref.make(HashMap.empty<string, LeadRecord>())
    // The newest lead's time per person and service, so a repeat tap is found without a scan.
    const latestTaps = yield* Ref.make(HashMap.empty<string, number>())
    const confirmed = yield* Ref.make(HashSet.empty<string>())
    const work = new Map<string, LeadWork>()
    const taps = new Set<string>()
    const workOf = (leadId: string) => work.get(leadId) ?? idle
    const dueBy = (w: LeadWork, now: number) => Option.isSome(w.dueAt) && w.dueAt.value <= now
    /** A lead's record with its delivery state as it is now (kept apart, like the SQL row's columns). */
    const withWork = (r: LeadRecord): LeadRecord => ({ ...r, work: workOf(r.lead.id) })
    const update = (leadId: string, f: (r: LeadRecord) => LeadRecord) => Ref.update(leads, HashMap.modify(leadId, f))
    const oldestFirst = (keep: (r: LeadRecord) => boolean) =>
      Ref.get(leads).pipe(
        Effect.map((all) =>
          Arr.sort(Arr.filter(Arr.fromIterable(HashMap.values(all)), keep), byCreatedAt)
            .map(withWork)
        )
      )
    const wake = (leadId: string, at: number) =>
      Effect.sync(() => {
        const w = workOf(leadId)
        work.set(leadId, { ...w, wakes: w.wakes + 1, dueAt: Option.orElse(w.dueAt, () => Option.some(at)) })
      })
    return LeadStore.of({
      record: (lead, repeatSince) =>
        Ref.modify(latestTaps, (latest) => {
          const key = tapKey(lead)
          const previous = Option.getOrElse(HashMap.get(latest, key), () => -Infinity)
          // One lead per tap, as the SQL stores' unique index keeps it; and no repeat within the window.
          if (previous >= repeatSince || taps.has(lead.tapId)) return [false, latest]
          taps.add(lead.tapId)
          return [true, HashMap.set(latest, key, Math.max(previous, lead.createdAt))]
        }).pipe(
          Effect.tap((fresh) =>
            fresh
              ? Ref.update(
                leads,
                HashMap.set<string, LeadRecord>(lead.id, {
                  lead,
                  outcome: Option.none(),
                  attempts: [],
                  handled: Option.none(),
                  handledShown: false,
                  work: idle
                })
              ).pipe(Effect.tap(() => {
                work.set(lead.id, { ...idle, dueAt: Option.some(lead.createdAt) })
              }))
              : Effect.void
          )
        ),
      get: (leadId) =>
        Ref.get(leads).pipe(
          Effect.map((all) => Option.map(HashMap.get(all, leadId), withWork))
        ),
      markConfirmed: (leadId) => Ref.update(confirmed, HashSet.add(leadId)),
      owedConfirmation: (tapId) =>
        Effect.all([Ref.get(leads), Ref.get(confirmed)]).pipe(Effect.map(([all, done]) =>
          Option.map(
            Arr.findFirst(HashMap.values(all), (r) => r.lead.tapId === tapId && !HashSet.has(done, r.lead.id)),
            (r) => r.lead
          )
        )),
      // The first outcome stands, as the SQL stores' `WHERE outcome IS NULL` keeps it.
      setOutcome: (leadId, outcome) =>
        update(leadId, (r) => (Option.isSome(r.outcome) ? r : { ...r, outcome: Option.some(outcome) })),
      recordAttempt: (leadId, attempt) => update(leadId, (r) => ({ ...r, attempts: [...r.attempts, attempt] })),
      markHandled: (leadId, handled) =>
        Ref.modify(leads, (all) => {
          const record = HashMap.get(all, leadId)
          if (Option.isNone(record) || Option.isSome(record.value.handled)) return [false, all]
          return [true, HashMap.set(all, leadId, { ...record.value, handled: Option.some(handled) })]
        }).pipe(Effect.tap((marked) => marked ? wake(leadId, handled.at) : Effect.void)),
      markHandledShown: (leadId) => update(leadId, (r) => ({ ...r, handledShown: true })),
      wake: (leadId, at) => wake(leadId, at),
      // One process's store: no lease of another holds a lead.
      due: (now, limit) =>
        Effect.sync(() =>
          [...work].filter(([, w]) => dueBy(w, now))
            .sort(([, a], [, b]) => Option.getOrThrow(a.dueAt) - Option.getOrThrow(b.dueAt))
            .slice(0, limit).map(([id]) => id)
        ),
      retryLater: (leadId, at) =>
        Effect.sync(() => {
          const w = workOf(leadId)
          work.set(leadId, { ...w, dueAt: Option.some(at), retries: w.retries + 1 })
        }),
      settle: (leadId, wakes) =>
        Effect.sync(() => {
          const w = workOf(leadId)
          if (w.wakes !== wakes) return false
          work.set(leadId, { ...idle, wakes })
          return true
        }),
      undelivered: oldestFirst((r) => Option.isNone(r.outcome)),
      awaitingEntry: oldestFirst((r) =>
        Option.isSome(r.outcome) && r.outcome.value._tag === "Fallback" && Option.isNone(r.handled)
      )
    })
  })
)

const byCreatedAt = Order.mapInput(Order.number, (r: LeadRecord) => r.lead.createdAt)
