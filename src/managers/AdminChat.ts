import { Effect, Option } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import type { CrmError } from "../crm/CrmError.js"
import type { AppliedVia, FallbackOutcome, FollowUp, Handled, Lead, Outcome } from "../lead/Lead.js"
import { HANDLED_BUTTON_TEXT, handledButton } from "../telegram/buttons.js"
import { CAPTION_LIMIT, escapeHtml, MESSAGE_LIMIT, splitText, visibleLength } from "../telegram/escapeHtml.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { isChatGone, isEditTargetGone, isNotModified, type TelegramError } from "../telegram/TelegramError.js"
import { cardHtml, fallbackHtml, followUpHeader, handledHtml, smartEditHtml } from "./render.js"

/**
 * Everything the managers see: fallback leads, smart edits, follow-ups, the handled mark. Only Telegram errors
 * escape.
 */
export class AdminChat extends Effect.Service<AdminChat>()("AdminChat", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const { adminChatId, adminTimeZone } = yield* AppConfig
    const html = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const
    const replyTo = (messageId: number | undefined) =>
      messageId === undefined ? {} : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }

    const send = (text: string, options: { reply?: number; markup?: InlineKeyboardMarkup } = {}) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(adminChatId, text, {
          ...html,
          ...replyTo(options.reply),
          ...(options.markup ? { reply_markup: options.markup } : {})
        }, signal))

    /** Sends `header` + text as one message, or several when it would pass 4096 characters. Nothing is cut. */
    const sendInParts = (header: string, text: string, reply?: number) => {
      const budget = MESSAGE_LIMIT - visibleLength(header) - 16
      const parts = splitText(text, budget)
      return Effect.forEach(
        parts,
        (part, i) =>
          send(`${header}${parts.length > 1 ? ` (${i + 1}/${parts.length})` : ""}\n\n${escapeHtml(part)}`, { reply })
      )
    }

    /** The fallback message as it should look now: original, follow-ups edited in, the handled mark or its button. */
    const fallbackView = (
      lead: Lead,
      original: string,
      edited: ReadonlyArray<FollowUp>,
      handled: Option.Option<Handled>
    ) => {
      const body = edited.length === 0 ? original : smartEditHtml(original, edited)
      return Option.match(handled, {
        onNone: () => ({
          text: body,
          markup: { inline_keyboard: [[{ text: HANDLED_BUTTON_TEXT, callback_data: handledButton(lead.id) }]] }
        }),
        onSome: (h) => ({
          text: `${body}\n\n${handledHtml(h.by, h.at, adminTimeZone)}`,
          markup: { inline_keyboard: [] }
        })
      })
    }

    const edit = (messageId: number, view: { text: string; markup: InlineKeyboardMarkup }) =>
      telegram.call(
        "editMessageText",
        (api, signal) =>
          api.editMessageText(adminChatId, messageId, view.text, { ...html, reply_markup: view.markup }, signal)
      ).pipe(
        Effect.asVoid,
        Effect.catchIf(isNotModified, () => Effect.void)
      )

    const postFallback = Effect.fn("AdminChat.postFallback")(function*(lead: Lead, error: CrmError) {
      const original = fallbackHtml(lead, error)
      const view = fallbackView(lead, original, [], Option.none())
      const message = yield* send(view.text, { markup: view.markup })
      return { _tag: "Fallback", messageId: message.message_id, html: original } satisfies FallbackOutcome
    })

    /**
     * Copies a photo/document/video/voice to the admin chat with who sent it; a long caption follows as text.
     * Returns the ids of the messages posted.
     */
    const copyMedia = (lead: Lead, followUp: FollowUp, caption: string, reply?: number) => {
      const header = followUpHeader(lead)
      const withCaption = caption === "" ? header : `${header}\n\n${escapeHtml(caption)}`
      const fits = visibleLength(withCaption) <= CAPTION_LIMIT
      return telegram
        .call("copyMessage", (api, signal) =>
          api.copyMessage(adminChatId, followUp.chatId, followUp.messageId, {
            caption: fits ? withCaption : header,
            parse_mode: "HTML",
            ...replyTo(reply)
          }, signal))
        .pipe(
          Effect.flatMap(({ message_id }) =>
            fits
              ? Effect.succeed([message_id])
              : sendInParts(header, caption, message_id).pipe(
                Effect.map((parts) => [message_id, ...parts.map((m) => m.message_id)])
              )
          )
        )
    }
    const ids = (messages: ReadonlyArray<{ readonly message_id: number }>) => messages.map((m) => m.message_id)

    /** A fallback lead's follow-up: edit the message in place; past 4096 characters, or if it is gone, reply. */
    const smartEdit = (
      lead: Lead,
      outcome: FallbackOutcome,
      followUp: FollowUp,
      edited: ReadonlyArray<FollowUp>,
      handled: Option.Option<Handled>
    ) => {
      const asReply = sendInParts(followUpHeader(lead), followUp.text, outcome.messageId).pipe(
        Effect.map((parts) => ({ via: "message" as AppliedVia, posted: ids(parts) }))
      )
      const view = fallbackView(lead, outcome.html, [...edited, followUp], handled)
      if (visibleLength(view.text) > MESSAGE_LIMIT) return asReply
      return edit(outcome.messageId, view).pipe(
        Effect.as({ via: "edit" as AppliedVia, posted: [] as ReadonlyArray<number> }),
        Effect.catchIf(isEditTargetGone, () => asReply)
      )
    }

    const applyFollowUp = Effect.fn("AdminChat.applyFollowUp")(function*(
      lead: Lead,
      outcome: Outcome,
      followUp: FollowUp,
      edited: ReadonlyArray<FollowUp>,
      handled: Option.Option<Handled>
    ) {
      if (outcome._tag === "Fallback") {
        // The caption goes into the edited message; the copy only says who sent it.
        const copied = Option.isSome(followUp.media) ? yield* copyMedia(lead, followUp, "", outcome.messageId) : []
        const applied = yield* smartEdit(lead, outcome, followUp, edited, handled)
        return { via: applied.via, posted: [...copied, ...applied.posted] }
      }
      const posted = Option.isSome(followUp.media)
        ? yield* copyMedia(lead, followUp, followUp.text)
        : ids(yield* sendInParts(followUpHeader(lead), followUp.text))
      return { via: "message" as AppliedVia, posted }
    })

    /** Shows on the fallback message who entered the lead and when, and removes the button; the ids posted. */
    const showHandled = Effect.fn("AdminChat.showHandled")(function*(
      lead: Lead,
      outcome: FallbackOutcome,
      edited: ReadonlyArray<FollowUp>,
      handled: Handled
    ) {
      const view = fallbackView(lead, outcome.html, edited, Option.some(handled))
      const mark = handledHtml(handled.by, handled.at, adminTimeZone)
      if (visibleLength(view.text) > MESSAGE_LIMIT) {
        yield* edit(outcome.messageId, {
          ...fallbackView(lead, outcome.html, edited, Option.none()),
          markup: { inline_keyboard: [] }
        })
        return ids([yield* send(mark, { reply: outcome.messageId })])
      }
      return yield* edit(outcome.messageId, view).pipe(
        Effect.as([] as ReadonlyArray<number>),
        Effect.catchIf(
          isEditTargetGone,
          () => send(mark, { reply: outcome.messageId }).pipe(Effect.map((m) => ids([m])))
        )
      )
    })

    /** ADMIN_NOTIFY=all: the card of a lead the CRM took; its message id. */
    const postCard = Effect.fn("AdminChat.postCard")(function*(lead: Lead) {
      return (yield* send(cardHtml(lead))).message_id
    })

    /** A failure as the log line says it: when the chat is gone, what an operator must do about it. */
    const explain = (e: TelegramError): string =>
      isChatGone(e)
        ? `${e.message}: the admin chat ADMIN_CHAT_ID=${adminChatId} refuses the bot; add the bot back to it ` +
          "(or set ADMIN_CHAT_ID to a chat it is in, and restart)"
        : e.message

    return { postFallback, postCard, applyFollowUp, showHandled, send, explain, chatId: adminChatId } as const
  })
}) {}
