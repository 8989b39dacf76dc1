import { Effect, Option } from "effect"
import type { InlineKeyboardButton } from "grammy/types"

import { type Profile, Profiles } from "../profiles/Profiles.js"
import { answerTap } from "../telegram/answerTap.js"
import { brandButton, leadButton } from "../telegram/buttons.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import { TelegramBot } from "../telegram/TelegramBot.js"

/** What the person sees. Locale texts are trusted HTML; anything else is escaped. */
export class UserChat extends Effect.Service<UserChat>()("UserChat", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const profiles = yield* Profiles
    const { texts } = profiles

    const send = (chatId: number, text: string, keyboard?: ReadonlyArray<ReadonlyArray<InlineKeyboardButton>>) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(chatId, text, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(keyboard ? { reply_markup: { inline_keyboard: keyboard.map((row) => [...row]) } } : {})
        }, signal))

    const brandMenu = (chatId: number, profile: Profile) =>
      send(
        chatId,
        profile.welcome,
        profile.services.map((s) => [{ text: `${s.icon} ${s.title}`, callback_data: leadButton(profile.key, s.id) }])
      )

    const brandChooser = (chatId: number) =>
      send(chatId, texts.choose_brand, profiles.all.map((p) => [{ text: p.name, callback_data: brandButton(p.key) }]))

    const confirmation = (chatId: number, profile: Profile, title: string) =>
      send(
        chatId,
        [texts.accepted.replace("{title}", () => escapeHtml(title)), texts.strategist, profile.followUpAsk].join("\n\n")
      )

    const answerTapOf = (callbackQueryId: string, text?: string) => answerTap(telegram, callbackQueryId, text)

    /** A button from an old menu: the tap is answered as stale, and the brand's menu (or the chooser) shown again. */
    const staleMenu = (chatId: number, queryId: string, profile: Option.Option<Profile>) =>
      answerTapOf(queryId, texts.stale_menu).pipe(
        Effect.catchAll((e) => Effect.logWarning(e.message)),
        Effect.zipRight(
          Option.match(profile, { onSome: (p) => brandMenu(chatId, p), onNone: () => brandChooser(chatId) })
        )
      )

    return {
      send,
      staleMenu,
      brandMenu,
      brandChooser,
      confirmation,
      answerTap: answerTapOf,
      texts
    } as const
  })
}) {}
