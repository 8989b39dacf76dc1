import { Effect } from "effect"
import { InputFile } from "grammy"
import type { InlineKeyboardMarkup } from "grammy/types"

import { escapeHtml, MESSAGE_LIMIT, splitText, visibleLength } from "../../telegram/escapeHtml.js"
import type { TelegramBotService } from "../../telegram/TelegramBot.js"
import { isChatGone, isNotModified, type TelegramError } from "../../telegram/TelegramError.js"
import type { ManagersChat } from "../ManagersChats.js"

/** A message as managers should see it: its HTML and its buttons (an edit without them takes them away). */
export interface View {
  readonly text: string
  readonly markup?: InlineKeyboardMarkup
}

/** Where in the chat a message goes: as a reply to one, in a forum topic. */
export interface Placement {
  readonly reply?: number | undefined
  readonly thread?: number | undefined
}

const html = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const
const placed = ({ reply, thread }: Placement) => ({
  ...(reply === undefined ? {} : { reply_parameters: { message_id: reply, allow_sending_without_reply: true } }),
  ...(thread === undefined ? {} : { message_thread_id: thread })
})

/**
 * One managers' chat and the Telegram primitives for it: send, split a long text, edit, copy, a photo, a topic.
 * Nothing here knows what a lead is.
 */
export const makeManagersRoom = (telegram: TelegramBotService, chat: ManagersChat, forum: boolean) => {
  const chatId = chat.id

  const send = (text: string, options: Placement & { readonly markup?: InlineKeyboardMarkup | undefined } = {}) =>
    telegram.call("sendMessage", (api, signal) =>
      api.sendMessage(chatId, text, {
        ...html,
        ...placed(options),
        ...(options.markup ? { reply_markup: options.markup } : {})
      }, signal))

  /** `header` + the plain text as one message, or several when it would pass 4096 characters. Nothing is cut. */
  const sendInParts = (header: string, text: string, placement: Placement = {}) => {
    const parts = splitText(text, MESSAGE_LIMIT - visibleLength(header) - 16)
    return Effect.forEach(
      parts,
      (part, i) =>
        send(`${header}${parts.length > 1 ? ` (${i + 1}/${parts.length})` : ""}\n\n${escapeHtml(part)}`, placement)
    )
  }

  /** Edits a message of this chat to the view; "not modified" is no failure. */
  const edit = (messageId: number, view: View) =>
    telegram.call(
      "editMessageText",
      (api, signal) =>
        api.editMessageText(chatId, messageId, view.text, {
          ...html,
          reply_markup: view.markup ?? { inline_keyboard: [] }
        }, signal)
    ).pipe(Effect.asVoid, Effect.catchIf(isNotModified, () => Effect.void))

  /** A copy of another chat's message here, with an HTML caption; its message id. */
  const copy = (from: { chatId: number; messageId: number }, caption: string, placement: Placement = {}) =>
    telegram.call(
      "copyMessage",
      (api, signal) =>
        api.copyMessage(
          chatId,
          from.chatId,
          from.messageId,
          { caption, parse_mode: "HTML", ...placed(placement) },
          signal
        )
    )
      .pipe(Effect.map((m) => m.message_id))

  /** A picture (PNG) with a plain caption, uploaded. */
  const sendPhoto = (png: Uint8Array, filename: string, caption: string) =>
    telegram.call(
      "sendPhoto",
      (api, signal) => api.sendPhoto(chatId, new InputFile(png, filename), { caption }, signal)
    )

  /** A forum topic made here; its thread id. */
  const makeTopic = (name: string) =>
    telegram.call("createForumTopic", (api, signal) => api.createForumTopic(chatId, name, {}, signal)).pipe(
      Effect.map((topic) => topic.message_thread_id)
    )

  /** A failure as the log line says it: when the chat is gone, what an operator must do about it. */
  const explain = (e: TelegramError): string =>
    isChatGone(e)
      ? `${e.message}: the managers' chat ${chat.variable}=${chatId} refuses the bot; add the bot back to it ` +
        `(or set ${chat.variable} to a chat it is in, and restart)`
      : e.message

  return { chat, forum, send, sendInParts, edit, copy, sendPhoto, makeTopic, explain } as const
}

export type ManagersRoom = ReturnType<typeof makeManagersRoom>
