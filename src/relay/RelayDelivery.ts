import { Clock, Effect, Metric, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeDueWorker } from "../concurrency/DueWorker.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { CrmNoteQueue } from "../crmNotes/CrmNoteQueue.js"
import type { Relay } from "../lead/Lead.js"
import { firstReplySeconds, labelled, leadsTaken, repliesRelayed } from "../metrics/metrics.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import { Transactor } from "../store/Transactor.js"
import { isRefusal, refusalRu, RelaySender } from "./RelaySender.js"

const relayedAs = labelled(repliesRelayed, "result")
const takenOf = labelled(leadsTaken, "brand")

/**
 * The managers' messages to people: each person's in the order written, one process at a time per person (its
 * lease). A copy of the manager's message, then 👍 on it. Refused for good (blocked, gone): a notice to the manager,
 * once. Any other failure: retried with the delivery backoff.
 */
export class RelayDelivery extends Effect.Service<RelayDelivery>()("RelayDelivery", {
  scoped: Effect.gen(function*() {
    const sender = yield* RelaySender
    const relays = yield* Relays
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const attempts = yield* Attempts
    const { promptly } = yield* Transactor
    const crmNotes = yield* CrmNoteQueue

    /**
     * A manager's message reached the person of the lead it answers: the first one's time (how long after the lead,
     * and whose), and an untaken lead is taken by the manager who answered.
     */
    /** The lead a relay answers: that of the message it replied to, else the person's latest. */
    const leadOf = (telegramId: number, relay: Relay) =>
      Option.isSome(relay.leadId) ? Effect.succeed(relay.leadId) : followUps.latestLead(telegramId)

    const answered = (telegramId: number, relay: Relay, at: number) =>
      Effect.gen(function*() {
        const leadId = yield* leadOf(telegramId, relay)
        if (Option.isNone(leadId) || Option.isNone(relay.manager)) return
        const record = yield* leads.get(leadId.value)
        if (Option.isNone(record)) return
        const { lead, taken } = record.value
        const manager = relay.manager.value
        // One unit: the first answer and the take stand together, whichever process relays.
        const [first, took] = yield* promptly(Effect.all([
          leads.markFirstReply(lead.id, at, manager.id),
          Option.isSome(taken) ? Effect.succeed(false) : Effect.map(
            leads.take(lead.id, { by: manager.name, byId: manager.id, at }),
            Option.exists((t) => t.won)
          )
        ]))
        if (first) yield* Metric.update(firstReplySeconds, Math.max(0, at - lead.createdAt) / 1000)
        if (took) {
          yield* Metric.increment(takenOf(lead.profile))
          yield* Effect.logInfo("lead taken by the manager who answered").pipe(Effect.annotateLogs({ lead: lead.id }))
        }
      })

    const delivered = (telegramId: number, relay: Relay) =>
      Effect.gen(function*() {
        // With its note for the lead's CRM, in one unit: a reply the person has is never missing from the CRM.
        yield* promptly(
          relays.settle(relay.id, "delivered").pipe(
            Effect.zipRight(leadOf(telegramId, relay)),
            Effect.flatMap(Option.match({ onNone: () => Effect.void, onSome: (id) => crmNotes.reply(id, relay) }))
          )
        )
        yield* Metric.increment(relayedAs("delivered"))
        yield* Effect.logInfo("manager's message relayed")
        // Recorded before the 👍: a manager who sees it sees everything about the reply counted.
        yield* answered(telegramId, relay, yield* Clock.currentTimeMillis)
        yield* sender.thumbsUp(relay)
        return true
      })

    /** One try at one relay; false when it is to be tried again later (the person's next ones wait). */
    const relayOnce = (telegramId: number, relay: Relay) =>
      attempts.one(sender.copyTo(telegramId, relay)).pipe(
        Effect.matchEffect({
          onSuccess: () => delivered(telegramId, relay),
          onFailure: (e) =>
            isRefusal(e)
              ? Effect.gen(function*() {
                yield* promptly(relays.settle(relay.id, "refused"))
                yield* Metric.increment(relayedAs("refused"))
                yield* Effect.logWarning(`manager's message refused for good: ${e.message}`)
                yield* sender.notice(relay, `⛔ Не доставлено: ${refusalRu(e)}`)
                return true
              })
              : Effect.gen(function*() {
                const at = (yield* Clock.currentTimeMillis) + (yield* retryDelayMillis(relay.retries))
                yield* Effect.logWarning(`manager's message not relayed yet, will retry: ${e.message}`)
                yield* promptly(relays.retryLater(relay.id, at))
                return false
              })
        })
      )

    /** Sends the person's pending relays in order, until one must wait (it and the rest are tried later). */
    const process = Effect.fn("RelayDelivery.process")(function*(telegramId: number) {
      for (const relay of yield* relays.pendingOf(telegramId)) {
        if (Option.isSome(relay.dueAt) && relay.dueAt.value > (yield* Clock.currentTimeMillis)) return
        if (!(yield* relayOnce(telegramId, relay))) return
      }
    }, (effect, telegramId) =>
      effect.pipe(
        Effect.catchAll((e) => Effect.logWarning(`relaying paused: ${e.message}`)),
        Effect.annotateLogs({ person: telegramId })
      ))

    const worker = yield* makeDueWorker({
      kind: "person",
      leaseMillis: (yield* AppConfig).deliveryLeaseSeconds * 1000,
      due: (now, limit) => relays.peopleDue(now, limit).pipe(Effect.map((people) => people.map(String))),
      process: (key) => process(Number(key)),
      // Sends under way finish first; the rest stays due in the store.
      beforeStop: attempts.drain
    })

    return {
      schedule: (telegramId: number) => worker.schedule(String(telegramId)),
      awaitIdle: worker.awaitIdle
    } as const
  }),
  dependencies: [RelaySender.Default, Attempts.Default, PeopleFirst.Default, CrmNoteQueue.Default]
}) {}
