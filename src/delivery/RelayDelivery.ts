import { Clock, Effect, FiberSet, Metric, Option, Schedule } from "effect"

import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeLeasedWork } from "../concurrency/LeasedWork.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import type { Relay } from "../lead/Lead.js"
import { firstReplySeconds, labelled, repliesRelayed } from "../metrics/metrics.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import { Transactor } from "../store/Transactor.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import type { TelegramError } from "../telegram/TelegramError.js"
import { Attempts } from "./Attempts.js"

const relayedAs = labelled(repliesRelayed, "result")
const DUE_EVERY = "1 second"
const DUE_BATCH = 100

/** Telegram will not take it, now or later: the person blocked the bot, or their chat is gone. */
const isRefusal = (e: TelegramError) => e.code === 403 || e.code === 400

/** Why, for the manager who wrote it. */
const refusalRu = (e: TelegramError): string =>
  /blocked/i.test(e.description)
    ? "человек заблокировал бота"
    : /deactivated/i.test(e.description)
    ? "аккаунт человека удалён"
    : /chat not found/i.test(e.description)
    ? "чат с человеком не найден"
    : `Telegram отказал: ${e.description}`

/**
 * The managers' messages to people: each person's in the order written, one process at a time per person (its
 * lease). A copy of the manager's message (a signed text when RELAY_SIGNATURE=name); then 👍 on it. Refused for good
 * (blocked, gone): a notice to the manager, once. Any other failure: retried with the delivery backoff.
 */
export class RelayDelivery extends Effect.Service<RelayDelivery>()("RelayDelivery", {
  scoped: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const relays = yield* Relays
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const attempts = yield* Attempts
    const { promptly } = yield* Transactor
    const { yieldToPeople } = yield* PeopleFirst
    const config = yield* AppConfig
    const work = yield* makeLeasedWork("person", config.deliveryLeaseSeconds * 1000)
    const fibers = yield* FiberSet.make()

    const signed = (relay: Relay) => Option.map(relay.signature, (name) => `${relay.text}\n— ${name}`)

    /** The copy the person gets: the manager's message as it is, or signed. */
    const send = (telegramId: number, relay: Relay) =>
      Option.match(signed(relay), {
        onNone: () =>
          telegram.call("copyMessage", (api, signal) =>
            api.copyMessage(telegramId, relay.adminChatId, relay.adminMessageId, {}, signal)),
        onSome: (text) =>
          relay.media
            ? telegram.call("copyMessage", (api, signal) =>
              api.copyMessage(telegramId, relay.adminChatId, relay.adminMessageId, { caption: text }, signal))
            : telegram.call("sendMessage", (api, signal) =>
              api.sendMessage(telegramId, text, {}, signal))
      })

    /** The manager's message gets a 👍 (where reactions are not allowed, nothing). */
    const thumbsUp = (relay: Relay) =>
      telegram.call(
        "setMessageReaction",
        (api, signal) =>
          api.setMessageReaction(relay.adminChatId, relay.adminMessageId, [{ type: "emoji", emoji: "👍" }], {}, signal)
      )
        .pipe(Effect.catchAll((e) => Effect.logInfo(`no 👍 on the manager's message: ${e.message}`)))

    /** A notice under the manager's message, once (its relay is settled first). */
    const notice = (relay: Relay, text: string) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(relay.adminChatId, text, {
          reply_parameters: { message_id: relay.adminMessageId, allow_sending_without_reply: true }
        }, signal)).pipe(Effect.catchAll((e) => Effect.logWarning(`the manager's notice not sent: ${e.message}`)))

    /** The first manager's message that reached the person of their latest lead: how long after the lead. */
    const firstReply = (telegramId: number, at: number) =>
      Effect.gen(function*() {
        const leadId = yield* followUps.latestLead(telegramId)
        if (Option.isNone(leadId)) return
        const lead = yield* leads.get(leadId.value)
        if (Option.isNone(lead) || !(yield* leads.markFirstReply(leadId.value, at))) return
        yield* Metric.update(firstReplySeconds, Math.max(0, at - lead.value.lead.createdAt) / 1000)
      })

    /** One try at one relay; false when it is to be tried again later (the person's next ones wait). */
    const relayOnce = (telegramId: number, relay: Relay) =>
      attempts.one(send(telegramId, relay)).pipe(
        Effect.matchEffect({
          onSuccess: () =>
            Effect.gen(function*() {
              yield* promptly(relays.settle(relay.id, "delivered"))
              yield* Metric.increment(relayedAs("delivered"))
              yield* Effect.logInfo("manager's message relayed")
              // Recorded before the 👍: a manager who sees it sees everything about the reply counted.
              yield* firstReply(telegramId, yield* Clock.currentTimeMillis)
              yield* thumbsUp(relay)
              return true
            }),
          onFailure: (e) =>
            isRefusal(e)
              ? Effect.gen(function*() {
                yield* promptly(relays.settle(relay.id, "refused"))
                yield* Metric.increment(relayedAs("refused"))
                yield* Effect.logWarning(`manager's message refused for good: ${e.message}`)
                yield* notice(relay, `⛔ Не доставлено: ${refusalRu(e)}`)
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
      work.run(String(telegramId), effect).pipe(
        Effect.catchAll((e) => Effect.logWarning(`relaying paused: ${e.message}`)),
        Effect.annotateLogs({ person: telegramId })
      ))

    const inBackground = (effect: Effect.Effect<unknown, unknown>) =>
      FiberSet.run(
        fibers,
        effect.pipe(Effect.catchAllCause((cause) => Effect.logError("relaying failed", cause)), Effect.interruptible)
      ).pipe(Effect.asVoid)

    const schedule = (telegramId: number) =>
      inBackground(
        yieldToPeople.pipe(
          Effect.zipRight(work.claim([String(telegramId)])),
          Effect.flatMap((claimed) => (claimed.length === 0 ? Effect.void : process(telegramId)))
        )
      )

    // People with relays due that nobody works on: retries whose time came, what a previous run left.
    const takeDue = Effect.gen(function*() {
      const due = yield* relays.peopleDue(yield* Clock.currentTimeMillis, DUE_BATCH)
      const claimed = yield* work.claim(due.map(String).filter((key) => !work.holds(key)))
      yield* Effect.forEach(claimed, (key) => inBackground(process(Number(key))), { discard: true })
    }).pipe(Effect.catchAll((e) => Effect.logWarning(`looking for managers' messages due: ${e.message}`)))
    yield* takeDue.pipe(Effect.repeat(Schedule.spaced(DUE_EVERY)), Effect.interruptible, Effect.forkScoped)

    // Sends under way finish (Delivery's drain waits for every attempt); the rest stays due in the store.
    yield* Effect.addFinalizer(() => FiberSet.clear(fibers))

    return { schedule, awaitIdle: FiberSet.awaitEmpty(fibers) } as const
  }),
  dependencies: [Attempts.Default, PeopleFirst.Default]
}) {}
