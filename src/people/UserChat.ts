import { Clock, Effect, Option } from "effect"
import type { InlineKeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import { fillText } from "../profiles/LocalesSchema.js"
import { type Profile, Profiles } from "../profiles/Profiles.js"
import { isOffHours } from "../profiles/workingHours.js"
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
    const { adminTimeZone } = yield* AppConfig

    /** A message: buttons under it (inline), a keyboard of the person's own (reply), or one taken away. */
    type Markup = ReadonlyArray<ReadonlyArray<InlineKeyboardButton>> | ReplyKeyboardMarkup | ReplyKeyboardRemove
    const send = (chatId: number, text: string, markup?: Markup) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(chatId, text, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(markup === undefined
            ? {}
            : Array.isArray(markup)
            ? { reply_markup: { inline_keyboard: markup.map((row) => [...row]) } }
            : { reply_markup: markup as ReplyKeyboardMarkup | ReplyKeyboardRemove })
        }, signal))

    const brandMenu = (chatId: number, profile: Profile) =>
      send(
        chatId,
        profile.welcome,
        profile.services.map((s) => [{ text: `${s.icon} ${s.title}`, callback_data: leadButton(profile.key, s.id) }])
      )

    const brandChooser = (chatId: number) =>
      send(chatId, texts.choose_brand, profiles.all.map((p) => [{ text: p.name, callback_data: brandButton(p.key) }]))

    /** The line a confirmation gets outside the brand's working hours. */
    const offHoursLine = (profile: Profile) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) =>
          Option.filter(profile.hours, (hours) => isOffHours(hours, now, adminTimeZone)).pipe(
            Option.map((hours) =>
              fillText(texts, "off_hours", { days_ru: hours.daysRu, from: hours.from, to: hours.to })
            )
          )
      )

    /** The phone button under the follow-up ask, where the brand asks for it (one tap; the keyboard then hides). */
    const phoneKeyboard = (profile: Profile): ReplyKeyboardMarkup | undefined =>
      profile.askPhone
        ? {
          keyboard: [[{ text: texts.share_phone, request_contact: true }]],
          one_time_keyboard: true,
          resize_keyboard: true
        }
        : undefined

    const confirmation = (chatId: number, profile: Profile, title: string) =>
      Effect.flatMap(offHoursLine(profile), (offHours) =>
        send(
          chatId,
          [
            fillText(texts, "accepted", { title: escapeHtml(title) }),
            texts.strategist,
            ...Option.toArray(offHours),
            profile.followUpAsk
          ].join("\n\n"),
          phoneKeyboard(profile)
        ))

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
