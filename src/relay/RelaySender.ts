import { Effect, Option } from "effect"

import type { Relay } from "../lead/Lead.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import type { TelegramError } from "../telegram/TelegramError.js"

/** Telegram will not take it, now or later: the person blocked the bot, or their chat is gone. */
export const isRefusal = (e: TelegramError) => e.code === 403 || e.code === 400

/** Why, for the manager who wrote it. */
export const refusalRu = (e: TelegramError): string =>
  /blocked/i.test(e.description)
    ? "человек заблокировал бота"
    : /deactivated/i.test(e.description)
    ? "аккаунт человека удалён"
    : /chat not found/i.test(e.description)
    ? "чат с человеком не найден"
    : `Telegram отказал: ${e.description}`

/** What the bot sends for a relay: the copy to the person, 👍 on the manager's message, a notice under it. */
export class RelaySender extends Effect.Service<RelaySender>()("RelaySender", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot

    const signed = (relay: Relay) => Option.map(relay.signature, (name) => `${relay.text}\n— ${name}`)

    /** A template: the bot's own message (Telegram HTML), signed where the relay is. */
    const templateTo = (telegramId: number, relay: Relay, html: string) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(
          telegramId,
          Option.match(relay.signature, {
            onNone: () => html,
            onSome: (name) => `${html}\n— ${escapeHtml(name)}`
          }),
          { parse_mode: "HTML", link_preview_options: { is_disabled: true } },
          signal
        ))

    /** The copy the person gets: the manager's message as it is, or signed (RELAY_SIGNATURE=name); or a template. */
    const copyTo = (telegramId: number, relay: Relay) =>
      Option.isSome(relay.html) ?
        Effect.asVoid(templateTo(telegramId, relay, relay.html.value)) :
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
        }).pipe(Effect.asVoid)

    /** The manager's message gets a 👍 (where reactions are not allowed, nothing). */
    const thumbsUp = (relay: Relay) =>
      telegram.call(
        "setMessageReaction",
        (api, signal) =>
          api.setMessageReaction(relay.adminChatId, relay.adminMessageId, [{ type: "emoji", emoji: "👍" }], {}, signal)
      ).pipe(Effect.catchAll((e) => Effect.logInfo(`no 👍 on the manager's message: ${e.message}`)))

    /** A notice under the manager's message (its relay is settled first, so it is said once). */
    const notice = (relay: Relay, text: string) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(relay.adminChatId, text, {
          reply_parameters: { message_id: relay.adminMessageId, allow_sending_without_reply: true }
        }, signal)).pipe(Effect.catchAll((e) => Effect.logWarning(`the manager's notice not sent: ${e.message}`)))

    return { copyTo, thumbsUp, notice } as const
  })
}) {}
