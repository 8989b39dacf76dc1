import { Clock, Effect, Metric, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeDueWorker } from "../concurrency/DueWorker.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import type { ErasureStep } from "../lead/Erasure.js"
import { labelled, peopleForgotten } from "../metrics/metrics.js"
import { Erasures } from "../store/Erasures.js"
import { Transactor } from "../store/Transactor.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { isChatGone, isEditTargetGone, isNotModified, type TelegramError } from "../telegram/TelegramError.js"

const forgottenBy = labelled(peopleForgotten, "by")

/** A message with media has a caption, not a text: it is edited as such. */
const hasNoText = (e: TelegramError) => e.code === 400 && /no text in the message/i.test(e.description)
/** Nothing there to clean any more: the message or topic is gone, or already shows the notice. */
const nothingLeft = (e: TelegramError) =>
  isNotModified(e) || isEditTargetGone(e) ||
  (e.code === 400 && /TOPIC_NOT_MODIFIED|thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i.test(e.description))

/**
 * Carries out erasures: the bot's messages about a forgotten person edited, their topics renamed, the managers'
 * notice posted, each step once (done steps are kept done); a failure is retried with the delivery backoff. A chat
 * that refuses the bot (removed, or no longer there) is skipped with a warning: nothing can be edited there.
 */
export class ErasureDelivery extends Effect.Service<ErasureDelivery>()("ErasureDelivery", {
  scoped: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const erasures = yield* Erasures
    const attempts = yield* Attempts
    const { promptly } = yield* Transactor

    const html = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const
    const edit = (chatId: number, messageId: number, text: string) =>
      telegram.call(
        "editMessageText",
        (api, signal) =>
          api.editMessageText(chatId, messageId, text, { ...html, reply_markup: { inline_keyboard: [] } }, signal)
      ).pipe(
        Effect.catchIf(
          hasNoText,
          () =>
            telegram.call("editMessageCaption", (api, signal) =>
              api.editMessageCaption(chatId, messageId, { caption: text, parse_mode: "HTML" }, signal))
        )
      )

    const run = (step: ErasureStep): Effect.Effect<unknown, TelegramError> => {
      const target = Option.getOrElse(step.targetId, () => 0)
      switch (step.kind) {
        case "edit":
          return edit(step.chatId, target, step.text)
        case "topic":
          return telegram.call(
            "editForumTopic",
            (api, signal) => api.editForumTopic(step.chatId, target, { name: step.text }, signal)
          )
        case "notice":
          return telegram.call("sendMessage", (api, signal) => api.sendMessage(step.chatId, step.text, html, signal))
      }
    }

    /** One step; false when it is to be tried again later. */
    const once = (id: string, step: ErasureStep) =>
      attempts.one(run(step)).pipe(
        Effect.as(true),
        Effect.catchIf(nothingLeft, () => Effect.succeed(true)),
        Effect.catchIf(isChatGone, (e) =>
          Effect.logWarning(
            `erasure: the chat ${step.chatId} refuses the bot, its ${step.kind} is skipped: ${e.message}`
          )
            .pipe(Effect.as(true))),
        Effect.catchAll((e) =>
          Effect.logWarning(`erasure not carried out yet, will retry: ${e.message}`).pipe(Effect.as(false))
        ),
        Effect.tap((done) => (done ? promptly(erasures.stepDone(id, step.seq)) : Effect.void))
      )

    const process = Effect.fn("ErasureDelivery.process")(function*(id: string) {
      const erasure = yield* erasures.get(id)
      if (Option.isNone(erasure)) return
      for (const step of erasure.value.steps) {
        if (step.done) continue
        if (!(yield* once(id, step))) {
          const at = (yield* Clock.currentTimeMillis) + (yield* retryDelayMillis(erasure.value.retries))
          return yield* promptly(erasures.retryLater(id, at))
        }
      }
      const { by } = erasure.value
      if ((yield* promptly(erasures.settle(id))) && by !== "delivery") {
        yield* Metric.increment(forgottenBy(by))
        yield* Effect.logInfo("the managers' chats are clean of a forgotten person")
      }
    }, (effect, id) =>
      effect.pipe(
        Effect.catchAll((e) => Effect.logWarning(`erasure paused: ${e.message}`)),
        Effect.annotateLogs({ erasure: id })
      ))

    return yield* makeDueWorker({
      kind: "erasure",
      leaseMillis: (yield* AppConfig).deliveryLeaseSeconds * 1000,
      due: erasures.due,
      process,
      beforeStop: attempts.drain
    })
  }),
  dependencies: [Attempts.Default, PeopleFirst.Default]
}) {}
