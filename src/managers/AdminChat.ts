import { Effect, Option } from "effect"
import { InputFile } from "grammy"
import type { InlineKeyboardMarkup } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import type { CrmError } from "../crm/CrmError.js"
import {
  type AppliedVia,
  fallbackChatOf,
  type FallbackOutcome,
  type FollowUp,
  type Handled,
  type Lead,
  type Outcome
} from "../lead/Lead.js"
import { Profiles } from "../profiles/Profiles.js"
import { type StoreError } from "../store/StoreError.js"
import { Topics } from "../store/Topics.js"
import { HANDLED_BUTTON_TEXT, handledButton } from "../telegram/buttons.js"
import { CAPTION_LIMIT, escapeHtml, MESSAGE_LIMIT, splitText, visibleLength } from "../telegram/escapeHtml.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { isChatGone, isEditTargetGone, isNotModified, type TelegramError } from "../telegram/TelegramError.js"
import { ForumChats } from "./checkManagersChats.js"
import { type ManagersChat, ManagersChats } from "./ManagersChats.js"
import { cardHtml, fallbackHtml, followUpHeader, followUpText, handledHtml, smartEditHtml } from "./render.js"

/** A forum topic a send named is gone (a manager deleted it). */
const isThreadGone = (e: TelegramError) => e.code === 400 && /message thread not found/i.test(e.description)

/** Telegram's limit on a topic's name. */
const TOPIC_NAME_LIMIT = 128

/**
 * Everything the managers see: fallback leads, smart edits, follow-ups, the handled mark, lead cards; each in the
 * managers' chat of the lead's brand (ManagersChats). In a forum, everything about a person goes into their topic,
 * made at their first message there (and made anew, the message posted whole, when a manager deleted it). Only
 * Telegram and store errors escape.
 */
export class AdminChat extends Effect.Service<AdminChat>()("AdminChat", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const topics = yield* Topics
    const chats = yield* ManagersChats
    const { forums } = yield* ForumChats
    const { utmOf } = yield* Profiles
    const { adminChatId: defaultChatId, adminTimeZone } = yield* AppConfig
    const html = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const
    const replyTo = (messageId: number | undefined) =>
      messageId === undefined ? {} : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }

    const inThread = (thread: number | undefined) => (thread === undefined ? {} : { message_thread_id: thread })

    /** One managers' chat: what is posted there, about its brands' leads. */
    const roomFor = (chat: ManagersChat) => {
      const adminChatId = chat.id
      const forum = forums.has(chat.id)
      /**
       * The fallback's message is in this chat. One in another (its brand's chat changed since) is never edited or
       * replied to here: its id means another message in this chat, maybe another lead's.
       */
      const isHere = (outcome: FallbackOutcome) => fallbackChatOf(outcome, defaultChatId) === adminChatId

      const send = (text: string, options: { reply?: number; markup?: InlineKeyboardMarkup; thread?: number } = {}) =>
        telegram.call("sendMessage", (api, signal) =>
          api.sendMessage(adminChatId, text, {
            ...html,
            ...replyTo(options.reply),
            ...inThread(options.thread),
            ...(options.markup ? { reply_markup: options.markup } : {})
          }, signal))

      /** A picture (PNG) with a plain caption, uploaded. */
      const sendPhoto = (png: Uint8Array, filename: string, caption: string) =>
        telegram.call(
          "sendPhoto",
          (api, signal) => api.sendPhoto(adminChatId, new InputFile(png, filename), { caption }, signal)
        )

      /** Sends `header` + text as one message, or several when it would pass 4096 characters. Nothing is cut. */
      const sendInParts = (header: string, text: string, reply?: number, thread?: number) => {
        const budget = MESSAGE_LIMIT - visibleLength(header) - 16
        const parts = splitText(text, budget)
        return Effect.forEach(
          parts,
          (part, i) =>
            send(`${header}${parts.length > 1 ? ` (${i + 1}/${parts.length})` : ""}\n\n${escapeHtml(part)}`, {
              reply,
              thread
            })
        )
      }

      /** The person's topic in a forum admin chat: theirs, or one made now (`<name> · <BRAND>`). */
      const topicOf = (lead: Lead): Effect.Effect<number | undefined, TelegramError | StoreError> =>
        !forum ? Effect.succeed(undefined) : Effect.gen(function*() {
          const known = yield* topics.of(adminChatId, lead.contact.telegramId)
          if (Option.isSome(known)) return known.value
          const name = `${lead.contact.fullName || "профиль"} · ${lead.profile.toUpperCase()}`.slice(
            0,
            TOPIC_NAME_LIMIT
          )
          const made = yield* telegram.call(
            "createForumTopic",
            (api, signal) => api.createForumTopic(adminChatId, name, {}, signal)
          )
          yield* Effect.logInfo(`forum topic made for the person: ${made.message_thread_id}`)
          return yield* topics.settle(adminChatId, lead.contact.telegramId, made.message_thread_id)
        })

      /**
       * Posts about the lead's person in their topic (none outside a forum). A topic a manager deleted is dropped
       * and a new one made, and the post is made again there, whole.
       */
      const inTopic = <A>(lead: Lead, post: (thread: number | undefined) => Effect.Effect<A, TelegramError>) =>
        topicOf(lead).pipe(
          Effect.flatMap((thread) =>
            post(thread).pipe(
              Effect.catchIf(
                (e) => thread !== undefined && isThreadGone(e),
                () =>
                  Effect.logWarning("the person's forum topic is gone: a new one is made").pipe(
                    Effect.zipRight(topics.drop(adminChatId, lead.contact.telegramId, thread!)),
                    Effect.zipRight(topicOf(lead)),
                    Effect.flatMap(post)
                  )
              )
            )
          )
        )

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
        const original = fallbackHtml(lead, error, utmOf(lead.campaign))
        const view = fallbackView(lead, original, [], Option.none())
        const message = yield* inTopic(lead, (thread) => send(view.text, { markup: view.markup, thread }))
        return {
          _tag: "Fallback",
          chatId: Option.some(adminChatId),
          messageId: message.message_id,
          html: original
        } satisfies FallbackOutcome
      })

      /**
       * Copies a photo/document/video/voice to the admin chat with who sent it; a long caption follows as text.
       * Returns the ids of the messages posted.
       */
      const copyMedia = (lead: Lead, followUp: FollowUp, caption: string, reply?: number, thread?: number) => {
        const header = followUpHeader(lead)
        const withCaption = caption === "" ? header : `${header}\n\n${escapeHtml(caption)}`
        const fits = visibleLength(withCaption) <= CAPTION_LIMIT
        return telegram
          .call("copyMessage", (api, signal) =>
            api.copyMessage(adminChatId, followUp.chatId, followUp.messageId, {
              caption: fits ? withCaption : header,
              parse_mode: "HTML",
              ...replyTo(reply),
              ...inThread(thread)
            }, signal))
          .pipe(
            Effect.flatMap(({ message_id }) =>
              fits
                ? Effect.succeed([message_id])
                : sendInParts(header, caption, message_id, thread).pipe(
                  Effect.map((parts) => [message_id, ...parts.map((m) => m.message_id)])
                )
            )
          )
      }
      const ids = (messages: ReadonlyArray<{ readonly message_id: number }>) => messages.map((m) => m.message_id)

      /** What applying a follow-up did: how, what it posted, and where the fallback message now is if it moved. */
      interface Applied {
        readonly via: AppliedVia
        readonly posted: ReadonlyArray<number>
        readonly moved?: number
      }

      /**
       * A fallback lead's follow-up: edit the message in place; past 4096 characters, or if it is gone, reply. In a
       * forum, a message gone (with its deleted topic) is posted whole, as a new one, in the person's topic; so is
       * one in another chat (its brand's chat changed), that the managers here see the lead.
       */
      const smartEdit = (
        lead: Lead,
        outcome: FallbackOutcome,
        followUp: FollowUp,
        edited: ReadonlyArray<FollowUp>,
        handled: Option.Option<Handled>,
        thread: number | undefined
      ): Effect.Effect<Applied, TelegramError> => {
        const here = isHere(outcome)
        const asReply = sendInParts(
          followUpHeader(lead),
          followUpText(followUp),
          here ? outcome.messageId : undefined,
          thread
        ).pipe(Effect.map((parts): Applied => ({ via: "message", posted: ids(parts) })))
        const view = fallbackView(lead, outcome.html, [...edited, followUp], handled)
        if (visibleLength(view.text) > MESSAGE_LIMIT) return asReply
        const whole = send(view.text, { markup: view.markup, thread }).pipe(
          Effect.map(({ message_id }): Applied => ({ via: "edit", posted: [message_id], moved: message_id }))
        )
        if (!here) return whole
        return edit(outcome.messageId, view).pipe(
          Effect.as<Applied>({ via: "edit", posted: [] }),
          Effect.catchIf(isEditTargetGone, () => (forum ? whole : asReply))
        )
      }

      const applyFollowUp = Effect.fn("AdminChat.applyFollowUp")(function*(
        lead: Lead,
        outcome: Outcome,
        followUp: FollowUp,
        edited: ReadonlyArray<FollowUp>,
        handled: Option.Option<Handled>
      ) {
        return yield* inTopic(lead, (thread): Effect.Effect<Applied, TelegramError> =>
          Effect.gen(function*() {
            if (outcome._tag === "Fallback") {
              // The caption goes into the edited message; the copy only says who sent it.
              const copied = Option.isSome(followUp.media)
                ? yield* copyMedia(lead, followUp, "", isHere(outcome) ? outcome.messageId : undefined, thread)
                : []
              const applied = yield* smartEdit(lead, outcome, followUp, edited, handled, thread)
              return { ...applied, posted: [...copied, ...applied.posted] } satisfies Applied as Applied
            }
            const posted = Option.isSome(followUp.media)
              ? yield* copyMedia(lead, followUp, followUp.text, undefined, thread)
              : ids(yield* sendInParts(followUpHeader(lead), followUpText(followUp), undefined, thread))
            return { via: "message", posted } satisfies Applied as Applied
          }))
      })

      /** What showing the mark posted, and where the fallback message now is if it moved. */
      interface Shown {
        readonly posted: ReadonlyArray<number>
        readonly moved?: number
      }

      /**
       * Shows on the fallback message who entered the lead and when, and removes the button; the ids posted. A message
       * in another chat (its brand's chat changed) is posted whole, marked, here.
       */
      const showHandled = Effect.fn("AdminChat.showHandled")(function*(
        lead: Lead,
        outcome: FallbackOutcome,
        edited: ReadonlyArray<FollowUp>,
        handled: Handled
      ) {
        const view = fallbackView(lead, outcome.html, edited, Option.some(handled))
        const mark = handledHtml(handled.by, handled.at, adminTimeZone)
        return yield* inTopic(lead, (thread) => {
          const whole = send(view.text, { markup: view.markup, thread }).pipe(
            Effect.map((m): Shown => ({ posted: ids([m]), moved: m.message_id }))
          )
          if (!isHere(outcome)) {
            return visibleLength(view.text) > MESSAGE_LIMIT
              ? send(mark, { thread }).pipe(Effect.map((m): Shown => ({ posted: ids([m]) })))
              : whole
          }
          if (visibleLength(view.text) > MESSAGE_LIMIT) {
            return edit(outcome.messageId, {
              ...fallbackView(lead, outcome.html, edited, Option.none()),
              markup: { inline_keyboard: [] }
            }).pipe(
              Effect.zipRight(send(mark, { reply: outcome.messageId, thread })),
              Effect.map((m): Shown => ({ posted: ids([m]) }))
            )
          }
          // Gone: in a forum (its topic deleted), the message is posted whole, anew; elsewhere the mark as a reply.
          const gone = forum
            ? whole
            : send(mark, { reply: outcome.messageId, thread }).pipe(Effect.map((m): Shown => ({ posted: ids([m]) })))
          return edit(outcome.messageId, view).pipe(
            Effect.as<Shown>({ posted: [] }),
            Effect.catchIf(isEditTargetGone, () => gone)
          )
        })
      })

      /** ADMIN_NOTIFY=all: the card of a lead the CRM took; its message id. */
      const postCard = Effect.fn("AdminChat.postCard")(function*(lead: Lead) {
        return (yield* inTopic(lead, (thread) => send(cardHtml(lead, utmOf(lead.campaign)), { thread }))).message_id
      })

      return { postFallback, postCard, applyFollowUp, showHandled, send, sendPhoto } as const
    }

    const rooms = new Map(chats.all.map((chat) => [chat.id, roomFor(chat)]))
    const roomOf = (lead: Lead) => rooms.get(chats.of(lead.profile).id)!
    const roomAt = (chatId: number) => {
      const room = rooms.get(chatId)
      if (room === undefined) throw new Error(`${chatId} is no managers' chat`)
      return room
    }

    /** A failure as the log line says it: when the chat is gone, what an operator must do about it. */
    const explain = (e: TelegramError, chatId: number): string => {
      const chat = Option.getOrElse(chats.at(chatId), () => chats.all[0]!)
      return isChatGone(e)
        ? `${e.message}: the managers' chat ${chat.variable}=${chat.id} refuses the bot; add the bot back to it ` +
          `(or set ${chat.variable} to a chat it is in, and restart)`
        : e.message
    }

    return {
      postFallback: (lead: Lead, error: CrmError) => roomOf(lead).postFallback(lead, error),
      postCard: (lead: Lead) => roomOf(lead).postCard(lead),
      applyFollowUp: (...args: Parameters<ReturnType<typeof roomFor>["applyFollowUp"]>) =>
        roomOf(args[0]).applyFollowUp(...args),
      showHandled: (...args: Parameters<ReturnType<typeof roomFor>["showHandled"]>) =>
        roomOf(args[0]).showHandled(...args),
      /** A message to a managers' chat (an answer to a command asked there). */
      send: (chatId: number, ...args: Parameters<ReturnType<typeof roomFor>["send"]>) => roomAt(chatId).send(...args),
      sendPhoto: (chatId: number, ...args: Parameters<ReturnType<typeof roomFor>["sendPhoto"]>) =>
        roomAt(chatId).sendPhoto(...args),
      explain,
      /** The managers' chat of a lead's brand. */
      chatOf: (lead: Lead) => chats.of(lead.profile).id,
      forum: (chatId: number) => forums.has(chatId)
    } as const
  })
}) {}
