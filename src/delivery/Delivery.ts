import { Clock, Effect, FiberSet, Layer, Option, Schedule } from "effect"

import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeLeasedWork } from "../concurrency/LeasedWork.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import type { LeadRecord } from "../lead/Lead.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { AdminUpdates } from "./AdminUpdates.js"
import { Attempts } from "./Attempts.js"
import { ReachHuman } from "./ReachHuman.js"
import { RelayDelivery } from "./RelayDelivery.js"

/** How often the store is asked for leads due that nobody works on (retries whose time came), and how many. */
const DUE_EVERY = "1 second"
const DUE_BATCH = 100

/**
 * The worker that takes leads while they are due: a human first (ReachHuman), then follow-ups and the managers' mark
 * (AdminUpdates); a failed attempt makes the lead due later, with backoff. A lead is worked on by one process at a
 * time (it holds the lead's lease): the one that recorded it, or, when an attempt failed or that one died, whichever
 * finds it due first.
 */
export class Delivery extends Effect.Service<Delivery>()("Delivery", {
  scoped: Effect.gen(function*() {
    const reach = yield* ReachHuman
    const updates = yield* AdminUpdates
    const attempts = yield* Attempts
    const leads = yield* LeadStore
    const { atomically } = yield* Transactor
    const { yieldToPeople } = yield* PeopleFirst
    const work = yield* makeLeasedWork("lead", (yield* AppConfig).deliveryLeaseSeconds * 1000)
    const fibers = yield* FiberSet.make()

    /**
     * Everything the lead still needs, in order: a human, its card (ADMIN_NOTIFY=all), its follow-ups, the manager's
     * mark.
     */
    const workOn = ({ card, handled, handledShown, lead, outcome, work: { wakes } }: LeadRecord) =>
      Effect.gen(function*() {
        const known = Option.isSome(outcome) ? outcome.value : yield* reach.deliver(lead)
        yield* updates.postCard(lead, known, card)
        // A follow-up is added with a wake, in one unit: a lead never woken has none (one added since is found
        // when settling fails).
        const now = wakes > 0 ? yield* updates.applyFollowUps(lead, known, handled) : known
        if (!handledShown) yield* updates.showHandled(lead, now, handled)
      })

    /**
     * Works on a lead this process holds while it is due: until nothing is left (and no work came meanwhile), or an
     * attempt fails (the store then keeps when to try again, for whichever process is free then).
     */
    const process = Effect.fn("Delivery.process")(function*(leadId: string) {
      yield* Effect.annotateCurrentSpan("leadId", leadId)
      while (true) {
        const record = yield* leads.get(leadId)
        if (Option.isNone(record)) return yield* Effect.logError(`lead ${leadId} is not in the store`)
        const { dueAt, retries, wakes } = record.value.work
        if (Option.isNone(dueAt) || dueAt.value > (yield* Clock.currentTimeMillis)) return
        const failed = yield* workOn(record.value).pipe(
          Effect.as(false),
          Effect.catchAll((e) =>
            (e._tag === "StoreError" ? Effect.logWarning(`delivery paused: ${e.message}`) : Effect.void).pipe(
              Effect.as(true)
            )
          )
        )
        if (failed) {
          const at = (yield* Clock.currentTimeMillis) + (yield* retryDelayMillis(retries))
          return yield* atomically(leads.retryLater(leadId, at))
        }
        if (yield* atomically(leads.settle(leadId, wakes))) return
      }
    }, (effect, leadId) => work.run(leadId, effect).pipe(Effect.annotateLogs({ lead: leadId })))

    /**
     * Runs `work` in the background and returns at once. It stays interruptible (shutdown ends it between attempts)
     * even when started from an uninterruptible region.
     */
    const inBackground = (work: Effect.Effect<unknown, unknown>) =>
      FiberSet.run(
        fibers,
        work.pipe(Effect.catchAllCause((cause) => Effect.logError("delivery failed", cause)), Effect.interruptible)
      ).pipe(Effect.asVoid)

    const schedule = (leadId: string) =>
      inBackground(
        yieldToPeople.pipe(
          Effect.zipRight(work.claim([leadId])),
          Effect.flatMap((claimed) => (claimed.length === 0 ? Effect.void : process(leadId)))
        )
      )

    // Leads due that nobody works on: what a previous run left, retries whose time came, and on a shared store
    // a dead replica's.
    const takeDue = Effect.gen(function*() {
      yield* yieldToPeople
      const due = yield* leads.due(yield* Clock.currentTimeMillis, DUE_BATCH)
      const claimed = yield* work.claim(due.filter((leadId) => !work.holds(leadId)))
      yield* Effect.forEach(claimed, (leadId) => inBackground(process(leadId)), { discard: true })
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for leads due: ${e.message}`)))
    yield* takeDue.pipe(Effect.repeat(Schedule.spaced(DUE_EVERY)), Effect.interruptible, Effect.forkScoped)

    // Attempts under way first (bounded), then the rest is interrupted; then the leases are let go
    // (makeLeasedWork), so that other replicas go on at once.
    yield* Effect.addFinalizer(() =>
      attempts.drain.pipe(
        Effect.zipRight(FiberSet.clear(fibers)),
        Effect.zipRight(Effect.logInfo("delivery stopped"))
      )
    )

    return { schedule, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  }),
  dependencies: [ReachHuman.Default, AdminUpdates.Default, Attempts.Default, PeopleFirst.Default]
}) {}

/** The workers behind the features' door: leads, and the managers' messages to people. */
export const DeliveriesLive = Layer.effect(
  Deliveries,
  Effect.all([Delivery, RelayDelivery]).pipe(
    Effect.map(([leads, relays]) => Deliveries.of({ schedule: leads.schedule, scheduleRelays: relays.schedule }))
  )
).pipe(Layer.provide(Layer.merge(Delivery.Default, RelayDelivery.Default)))
