import { Effect, Option } from "effect"
import { AppConfig } from "../config/AppConfig.js"
import type { CrmError } from "../crm/CrmError.js"
import type { AppliedVia, FollowUp, Lead, Outcome } from "../lead/Lead.js"
import { CAPTION_LIMIT, escapeHtml, MESSAGE_LIMIT, splitText, visibleLength } from "../telegram/html.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { isEditTargetGone, isNotModified } from "../telegram/TelegramError.js"
import { fallbackHtml, followUpHeader, smartEditHtml } from "./render.js"

type FallbackOutcome = Extract<Outcome, { _tag: "Fallback" }>

/** Everything the managers see: fallback leads, smart edits, follow-ups. Only Telegram errors escape. */
export class AdminChat extends Effect.Service<AdminChat>()("AdminChat", {
  effect: Effect.gen(function* () {
    const telegram = yield* TelegramBot
    const { adminChatId } = yield* AppConfig
    const html = { parse_mode: "HTML", link_preview_options: { is_disabled: true } } as const
    const replyTo = (messageId: number | undefined) =>
      messageId === undefined ? {} : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }

    const send = (text: string, reply?: number) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(adminChatId, text, { ...html, ...replyTo(reply) }, signal))

    /** Sends `header` + text as one message, or several when it would pass 4096 characters. Nothing is cut. */
    const sendInParts = (header: string, text: string, reply?: number) => {
      const budget = MESSAGE_LIMIT - visibleLength(header) - 16
      const parts = splitText(text, budget)
      return Effect.forEach(parts, (part, i) =>
        send(`${header}${parts.length > 1 ? ` (${i + 1}/${parts.length})` : ""}\n\n${escapeHtml(part)}`, reply))
    }

    const postFallback = Effect.fn("AdminChat.postFallback")(function* (lead: Lead, error: CrmError) {
      const text = fallbackHtml(lead, error)
      const message = yield* send(text)
      return { _tag: "Fallback", messageId: message.message_id, html: text } satisfies FallbackOutcome
    })

    /** Copies a photo/document/video/voice to the admin chat with who sent it; a long caption follows as text. */
    const copyMedia = (lead: Lead, followUp: FollowUp, reply?: number) => {
      const header = followUpHeader(lead)
      const withCaption = followUp.text === "" ? header : `${header}\n\n${escapeHtml(followUp.text)}`
      const fits = visibleLength(withCaption) <= CAPTION_LIMIT
      return telegram
        .call("copyMessage", (api, signal) =>
          api.copyMessage(adminChatId, followUp.chatId, followUp.messageId, {
            caption: fits ? withCaption : header,
            parse_mode: "HTML",
            ...replyTo(reply)
          }, signal))
        .pipe(Effect.tap(({ message_id }) => (fits ? Effect.void : sendInParts(header, followUp.text, message_id))))
    }

    /** A fallback lead's follow-up: edit the message in place; past 4096 characters, or if it is gone, reply instead. */
    const smartEdit = (lead: Lead, outcome: FallbackOutcome, followUp: FollowUp, edited: ReadonlyArray<FollowUp>) => {
      const asReply = sendInParts(followUpHeader(lead), followUp.text, outcome.messageId).pipe(Effect.as<AppliedVia>("message"))
      const text = smartEditHtml(outcome.html, [...edited, followUp])
      if (visibleLength(text) > MESSAGE_LIMIT) return asReply
      return telegram
        .call("editMessageText", (api, signal) =>
          api.editMessageText(adminChatId, outcome.messageId, text, html, signal))
        .pipe(
          Effect.as<AppliedVia>("edit"),
          Effect.catchIf(isNotModified, () => Effect.succeed<AppliedVia>("edit")),
          Effect.catchIf(isEditTargetGone, () => asReply)
        )
    }

    const applyFollowUp = Effect.fn("AdminChat.applyFollowUp")(function* (
      lead: Lead,
      outcome: Outcome,
      followUp: FollowUp,
      edited: ReadonlyArray<FollowUp>
    ) {
      const reply = outcome._tag === "Fallback" ? outcome.messageId : undefined
      if (Option.isSome(followUp.media)) yield* copyMedia(lead, { ...followUp, text: outcome._tag === "Fallback" ? "" : followUp.text }, reply)
      if (outcome._tag === "Fallback") return yield* smartEdit(lead, outcome, followUp, edited)
      if (Option.isNone(followUp.media)) yield* sendInParts(followUpHeader(lead), followUp.text)
      return "message" as AppliedVia
    })

    return { postFallback, applyFollowUp, send } as const
  })
}) {}

