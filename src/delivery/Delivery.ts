import { Clock, Effect, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeDueWorker } from "../concurrency/DueWorker.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import type { LeadRecord } from "../lead/Lead.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { AdminUpdates } from "./AdminUpdates.js"
import { ReachHuman } from "./ReachHuman.js"

/**
 * The worker that takes leads while they are due: a human first (ReachHuman), then the card, follow-ups and the
 * managers' mark (AdminUpdates); a failed attempt makes the lead due later, with backoff. A lead is worked on by one
 * process at a time (it holds the lead's lease): the one that recorded it, or, when an attempt failed or that one
 * died, whichever finds it due first.
 */
export class Delivery extends Effect.Service<Delivery>()("Delivery", {
  scoped: Effect.gen(function*() {
    const reach = yield* ReachHuman
    const updates = yield* AdminUpdates
    const attempts = yield* Attempts
    const leads = yield* LeadStore
    const { atomically } = yield* Transactor

    /**
     * Everything the lead still needs, in order: a human, its message in its brand's chat, its card, its follow-ups,
     * the marks (who took it, who entered it, that its CRM took it after all).
     */
    const workOn = (record: LeadRecord) =>
      Effect.gen(function*() {
        const { card, handled, handledShown, lead, outcome, reconcile, taken, takenShown, work: { wakes } } = record
        const marks = { taken, handled, reconciled: reconcile.reconciledAt }
        const reached = Option.isSome(outcome) ? outcome.value : yield* reach.deliver(record)
        const known = yield* updates.relocate(lead, reached, marks)
        yield* updates.postCard(lead, known, card)
        // A follow-up is added with a wake, in one unit: a lead never woken has none (one added since is found
        // when settling fails).
        const now = wakes > 0 ? yield* updates.applyFollowUps(lead, known, marks) : known
        if (!takenShown) yield* updates.showTaken(lead, now, card, marks)
        if (!handledShown) yield* updates.showHandled(lead, now, marks)
        if (!reconcile.shown) yield* updates.showReconciled(lead, now, marks)
      })

    /**
     * Works on a lead this process holds while it is due: until nothing is left (and no work came meanwhile), or an
     * attempt fails (the store then keeps when to try again, for whichever process is free then).
     */
    const process = Effect.fn("Delivery.process")(function*(leadId: string) {
      yield* Effect.annotateCurrentSpan("leadId", leadId)
      while (true) {
        const record = yield* leads.get(leadId)
        // Gone: its person was forgotten (their data deleted on request); it is not delivered.
        if (Option.isNone(record)) return yield* Effect.logInfo(`lead ${leadId} is gone: not delivered`)
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
    }, (effect, leadId) =>
      effect.pipe(
        Effect.catchAll((e) => Effect.logWarning(`delivery paused: ${e.message}`)),
        Effect.annotateLogs({ lead: leadId })
      ))

    const worker = yield* makeDueWorker({
      kind: "lead",
      leaseMillis: (yield* AppConfig).deliveryLeaseSeconds * 1000,
      due: leads.due,
      process,
      // Attempts under way first (bounded), then the rest is interrupted.
      beforeStop: attempts.drain.pipe(Effect.zipRight(Effect.logInfo("delivery stopped")))
    })
    return worker
  }),
  dependencies: [ReachHuman.Default, AdminUpdates.Default, Attempts.Default, PeopleFirst.Default]
}) {}
