import { Array as Arr, Effect, HashMap, HashSet, Layer, Option, Order, Ref } from "effect"

import type { Lead, LeadRecord } from "../lead/Lead.js"
import { LeadStore } from "./LeadStore.js"

/** A lead's delivery state: due while nextAttemptAt is set, claimed while `by` is. */
interface Work {
  readonly nextAttemptAt: number | undefined
  readonly by: string | undefined
  readonly until: number
  readonly retries: number
  readonly wakes: number
}
const idle: Work = { nextAttemptAt: undefined, by: undefined, until: 0, retries: 0, wakes: 0 }

const tapKey = (lead: Lead) => `${lead.contact.telegramId}:${lead.profile}:${lead.serviceId}`

/** In-memory outbox for unit tests and the demo; a restart forgets it (the SQLite store does not). */
export const MemoryLeadStore = Layer.effect(
  LeadStore,
  Effect.gen(function*() {
    const leads = yield* Ref.make(HashMap.empty<string, LeadRecord>())
    // The newest lead's time per person and service, so a repeat tap is found without a scan.
    const latestTaps = yield* Ref.make(HashMap.empty<string, number>())
    const confirmed = yield* Ref.make(HashSet.empty<string>())
    const work = new Map<string, Work>()
    const workOf = (leadId: string) => work.get(leadId) ?? idle
    const claimable = (w: Work, by: string, now: number) =>
      w.nextAttemptAt !== undefined && w.nextAttemptAt <= now && (w.by === undefined || w.by === by || w.until < now)
    const update = (leadId: string, f: (r: LeadRecord) => LeadRecord) => Ref.update(leads, HashMap.modify(leadId, f))
    const oldestFirst = (keep: (r: LeadRecord) => boolean) =>
      Ref.get(leads).pipe(
        Effect.map((all) => Arr.sort(Arr.filter(Arr.fromIterable(HashMap.values(all)), keep), byCreatedAt))
      )
    const wake = (leadId: string, at: number) =>
      Effect.sync(() => {
        const w = workOf(leadId)
        work.set(leadId, { ...w, wakes: w.wakes + 1, nextAttemptAt: w.nextAttemptAt ?? at })
      })
    return LeadStore.of({
      record: (lead, repeatSince, claim) =>
        Ref.modify(latestTaps, (latest) => {
          const key = tapKey(lead)
          const previous = Option.getOrElse(HashMap.get(latest, key), () => -Infinity)
          if (previous >= repeatSince) return [false, latest]
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
                  handledShown: false
                })
              ).pipe(Effect.tap(() => {
                work.set(lead.id, { ...idle, nextAttemptAt: lead.createdAt, by: claim.by, until: claim.until })
              }))
              : Effect.void
          )
        ),
      get: (leadId) => Ref.get(leads).pipe(Effect.map(HashMap.get(leadId))),
      markConfirmed: (leadId) => Ref.update(confirmed, HashSet.add(leadId)),
      owedConfirmation: (tapId) =>
        Effect.all([Ref.get(leads), Ref.get(confirmed)]).pipe(Effect.map(([all, done]) =>
          Option.map(
            Arr.findFirst(HashMap.values(all), (r) => r.lead.tapId === tapId && !HashSet.has(done, r.lead.id)),
            (r) => r.lead
          )
        )),
      setOutcome: (leadId, outcome) => update(leadId, (r) => ({ ...r, outcome: Option.some(outcome) })),
      recordAttempt: (leadId, attempt) => update(leadId, (r) => ({ ...r, attempts: [...r.attempts, attempt] })),
      markHandled: (leadId, handled) =>
        Ref.modify(leads, (all) => {
          const record = HashMap.get(all, leadId)
          if (Option.isNone(record) || Option.isSome(record.value.handled)) return [false, all]
          return [true, HashMap.set(all, leadId, { ...record.value, handled: Option.some(handled) })]
        }).pipe(Effect.tap((marked) => marked ? wake(leadId, handled.at) : Effect.void)),
      markHandledShown: (leadId) => update(leadId, (r) => ({ ...r, handledShown: true })),
      wake: (leadId, at) => wake(leadId, at),
      claim: (leadId, claim, now) =>
        Effect.sync(() => {
          const w = workOf(leadId)
          if (!claimable(w, claim.by, now)) return Option.none()
          work.set(leadId, { ...w, by: claim.by, until: claim.until })
          return Option.some({ retries: w.retries, wakes: w.wakes })
        }),
      claimDue: (claim, now, limit) =>
        Effect.sync(() => {
          const due = [...work].filter(([, w]) => claimable(w, "", now)).sort(([, a], [, b]) =>
            a.nextAttemptAt! - b.nextAttemptAt!
          ).slice(0, limit)
          for (const [id, w] of due) work.set(id, { ...w, by: claim.by, until: claim.until })
          return due.map(([id]) => id)
        }),
      renewClaims: (leadIds, claim) =>
        Effect.sync(() => {
          for (const id of leadIds) {
            const w = workOf(id)
            if (w.by === claim.by) work.set(id, { ...w, until: claim.until })
          }
        }),
      retryLater: (leadId, by, at) =>
        Effect.sync(() => {
          const w = workOf(leadId)
          if (w.by === by) work.set(leadId, { ...w, by: undefined, nextAttemptAt: at, retries: w.retries + 1 })
        }),
      release: (leadId, by, wakes) =>
        Effect.sync(() => {
          const w = workOf(leadId)
          if (w.by !== by || w.wakes !== wakes) return false
          work.set(leadId, { ...idle, wakes })
          return true
        }),
      releaseClaims: (by) =>
        Effect.sync(() => {
          for (const [id, w] of work) if (w.by === by) work.set(id, { ...w, by: undefined })
        }),
      undelivered: oldestFirst((r) => Option.isNone(r.outcome)),
      awaitingEntry: oldestFirst((r) =>
        Option.isSome(r.outcome) && r.outcome.value._tag === "Fallback" && Option.isNone(r.handled)
      )
    })
  })
)

const byCreatedAt = Order.mapInput(Order.number, (r: LeadRecord) => r.lead.createdAt)
