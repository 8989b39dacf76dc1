import { Clock, Effect, Metric, Option } from "effect"
import type { InlineKeyboardButton } from "grammy/types"

import { parseStartParameter } from "../lead/Campaign.js"
import { consentsGiven } from "../metrics/metrics.js"
import { Profiles } from "../profiles/Profiles.js"
import { Consents } from "../store/Consents.js"
import type { StoreError } from "../store/StoreError.js"
import { Transactor } from "../store/Transactor.js"
import { answerTap } from "../telegram/answerTap.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { consentMessage } from "./consentMessage.js"

const accepted = Metric.tagged(consentsGiven, "result", "accepted")

/**
 * Consent as a step of its own (152-FZ since 1 September 2025: a separate act, provable), when locales.json has a
 * `consent` section: before anything about a person is kept, they accept the current version's text; a new version
 * asks again. Before the accept only the step is kept (what their /start named), for 24 hours at most. Without the
 * section nothing here reads or writes anything.
 */
export class ConsentStep extends Effect.Service<ConsentStep>()("ConsentStep", {
  effect: Effect.gen(function*() {
    const profiles = yield* Profiles
    const consents = yield* Consents
    const telegram = yield* TelegramBot
    const { atomically, promptly } = yield* Transactor
    const settings = profiles.consent
    const { texts } = profiles

    /** The text for the person's step: `{brand}` is the brand its link named, else every brand. */
    const messageFor = (startPayload: Option.Option<string>) =>
      Option.map(settings, (consent) => {
        const brand = Option.flatMap(
          Option.flatMap(startPayload, (payload) => parseStartParameter(payload).brand),
          profiles.get
        )
        const name = Option.match(brand, {
          onSome: (p) => p.name,
          onNone: () => profiles.all.map((p) => p.name).join(", ")
        })
        return consentMessage(consent, texts, name)
      })

    /** Consent is asked here, and this person has not accepted the current version (or withdrew). */
    const needed = (telegramId: number): Effect.Effect<boolean, StoreError> =>
      Option.match(settings, {
        onNone: () => Effect.succeed(false),
        onSome: (consent) => Effect.map(consents.accepted(telegramId, consent.version), (given) => !given)
      })

    const send = (chatId: number, text: string, keyboard: ReadonlyArray<ReadonlyArray<InlineKeyboardButton>>) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(chatId, text, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          reply_markup: { inline_keyboard: keyboard.map((row) => [...row]) }
        }, signal))

    /**
     * Asks: the step is kept (with what this /start named; else what an earlier one did; else `orElse`, the brand of a
     * button tapped), the text kept by its hash, and the consent message sent.
     */
    const ask = Effect.fn("ConsentStep.ask")(
      function*(
        telegramId: number,
        chatId: number,
        startPayload: Option.Option<string>,
        orElse: Option.Option<string> = Option.none()
      ) {
        const at = yield* Clock.currentTimeMillis
        const payload = Option.isSome(startPayload) ? startPayload : Option.orElse(
          Option.flatMap(yield* consents.stepOf(telegramId), (step) => step.startPayload),
          () => orElse
        )
        const message = messageFor(payload)
        if (Option.isNone(message)) return
        const { sha256, text, version } = message.value
        yield* atomically(
          consents.saveStep({ telegramId, startPayload: payload, at }).pipe(
            Effect.zipRight(consents.keepText({ sha256, version, text, at }))
          )
        )
        yield* send(chatId, text, message.value.keyboard)
      }
    )

    /**
     * The accept button: when it names the current version and text, the accept is logged (once, however often it
     * is pressed) and what the step kept is returned, to go on as if that /start had just come. A button of an
     * older message (a new version, or another brand's text, since) gets the current text instead.
     */
    const accept = Effect.fn("ConsentStep.accept")(
      function*(telegramId: number, chatId: number, queryId: string, acceptKey: string) {
        const step = yield* consents.stepOf(telegramId)
        const payload = Option.flatMap(step, (s) => s.startPayload)
        const message = messageFor(payload)
        if (Option.isNone(message)) return Option.none<Option.Option<string>>()
        const { sha256, text, version } = message.value
        if (!message.value.acceptKey.startsWith(acceptKey)) {
          yield* answerTap(telegram, queryId, texts.consent_needed)
          yield* ask(telegramId, chatId, payload)
          return Option.none<Option.Option<string>>()
        }
        const at = yield* Clock.currentTimeMillis
        const isNew = yield* promptly(
          consents.keepText({ sha256, version, text, at }).pipe(
            Effect.zipRight(consents.accept({ telegramId, version, textSha256: sha256, at, how: "button" }))
          )
        )
        if (isNew) {
          yield* Metric.increment(accepted)
          yield* Effect.logInfo(`consent accepted (version ${version})`)
        }
        yield* answerTap(telegram, queryId).pipe(Effect.catchAll((e) => Effect.logWarning(e.message)))
        return Option.some(payload)
      }
    )

    return { required: Option.isSome(settings), needed, ask, accept } as const
  })
}) {}
