import { Effect } from "effect"
import { Composer } from "grammy"
import type { InlineKeyboardButton } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import { Profiles } from "../profiles/Profiles.js"
import { Consents } from "../store/Consents.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import { StartEvents } from "../store/StartEvents.js"
import { answerTap } from "../telegram/answerTap.js"
import { forgetButton, parseButton } from "../telegram/buttons.js"
import { route, type RoutingContext } from "../telegram/routes.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { Erasure } from "./Erasure.js"
import { myDataHtml } from "./myDataText.js"

/**
 * The person's own rights, in their chat with the bot, whether consent is asked or not: `/mydata` (what is kept
 * about them, 152-FZ art. 14) and `/forget` (delete it all and withdraw the consent, art. 21), asked once more
 * with two buttons.
 */
export class PrivacyCommands extends Effect.Service<PrivacyCommands>()("PrivacyCommands", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const { texts } = yield* Profiles
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const relays = yield* Relays
    const starts = yield* StartEvents
    const consents = yield* Consents
    const erasure = yield* Erasure
    const deliveries = yield* Deliveries
    const { adminTimeZone } = yield* AppConfig

    const send = (chatId: number, text: string, keyboard?: ReadonlyArray<ReadonlyArray<InlineKeyboardButton>>) =>
      telegram.call("sendMessage", (api, signal) =>
        api.sendMessage(chatId, text, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(keyboard === undefined ? {} : { reply_markup: { inline_keyboard: keyboard.map((row) => [...row]) } })
        }, signal))

    const myData = Effect.fn("PrivacyCommands.mydata")(function*(telegramId: number, chatId: number) {
      const [records, ofFollowUps, managersMessages, startCount, history] = yield* Effect.all([
        leads.ofPerson(telegramId),
        followUps.ofPerson(telegramId),
        relays.countOf(telegramId),
        starts.countOf(telegramId),
        consents.historyOf(telegramId)
      ])
      yield* send(
        chatId,
        myDataHtml(texts.mydata_title, {
          telegramId,
          leads: records,
          followUps: ofFollowUps.followUps,
          phone: ofFollowUps.phone,
          managersMessages,
          starts: startCount,
          consents: history
        }, adminTimeZone)
      )
    })

    const forgetAsk = Effect.fn("PrivacyCommands.forget")((chatId: number) =>
      send(chatId, texts.forget_ask, [[
        { text: texts.forget_yes, callback_data: forgetButton(true) },
        { text: texts.forget_no, callback_data: forgetButton(false) }
      ]])
    )

    /** Yes: everything deleted now (the managers' chats cleaned in the background), then the person is told. */
    const forgetAnswer = Effect.fn("PrivacyCommands.forgetAnswer")(
      function*(telegramId: number, chatId: number, queryId: string, confirmed: boolean) {
        yield* answerTap(telegram, queryId).pipe(Effect.catchAll((e) => Effect.logWarning(e.message)))
        if (!confirmed) return yield* send(chatId, texts.forget_kept)
        const forgotten = yield* erasure.erase(telegramId, "person")
        yield* deliveries.scheduleErasure(forgotten.erasureId)
        yield* send(chatId, texts.forgotten)
      }
    )

    const routes = new Composer<RoutingContext>()
    const people = routes.chatType("private")
    people.command("mydata", route("PrivacyCommands.mydata", (ctx) => myData(ctx.from.id, ctx.chat.id)))
    people.command("forget", route("PrivacyCommands.forget", (ctx) => forgetAsk(ctx.chat.id)))
    people.on("callback_query:data", (ctx, next) => {
      const button = parseButton(ctx.callbackQuery.data)
      if (button._tag !== "Forget") return next()
      route(
        "PrivacyCommands.forgetAnswer",
        () => forgetAnswer(ctx.from.id, ctx.chat.id, ctx.callbackQuery.id, button.confirmed)
      )(ctx)
    })
    return { routes } as const
  }),
  dependencies: [Erasure.Default]
}) {}
