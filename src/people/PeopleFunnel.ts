import { Clock, Effect, Metric, Option } from "effect"
import { Composer } from "grammy"
import type { User } from "grammy/types"

import { parseStartParameter } from "../lead/Campaign.js"
import { labelled, startsCounted } from "../metrics/metrics.js"
import { Profiles } from "../profiles/Profiles.js"
import { StartEvents } from "../store/StartEvents.js"
import { Transactor } from "../store/Transactor.js"
import { parseButton } from "../telegram/buttons.js"
import { route, type RoutingContext } from "../telegram/routes.js"
import { LeadTaps } from "./LeadTaps.js"
import { PersonFollowUps } from "./PersonFollowUps.js"
import { UserChat } from "./UserChat.js"

/**
 * The person's routes, in private chats: a deep link shows a brand's services, a tap makes a lead (LeadTaps), what
 * they send next reaches the managers (PersonFollowUps), anything else gets the brand chooser, never silence.
 */
export class PeopleFunnel extends Effect.Service<PeopleFunnel>()("PeopleFunnel", {
  effect: Effect.gen(function*() {
    const profiles = yield* Profiles
    const user = yield* UserChat
    const taps = yield* LeadTaps
    const followUps = yield* PersonFollowUps
    const starts = yield* StartEvents
    const { promptly } = yield* Transactor
    const startsOf = labelled(startsCounted, "brand")

    /**
     * A deep link (`start=<brand>` or `start=<brand>-<campaign>`): the brand's services, or the chooser for a brand
     * not ours; then the /start is recorded (the campaign is kept either way: the person's latest /start is the one
     * in force at their tap). The person first: the write's commit overlaps their reading of the menu, and a crash
     * before it commits leaves the update unhandled, so it is handled (and recorded) again.
     */
    const start = Effect.fn("PeopleFunnel.start")(function*(from: User, chatId: number, payload: string) {
      const parameter = parseStartParameter(payload)
      if (parameter.malformed) yield* Effect.logDebug(`a /start parameter outside the deep-link grammar: no campaign`)
      const profile = Option.flatMap(parameter.brand, profiles.get)
      const at = yield* Clock.currentTimeMillis
      if (Option.isSome(profile)) {
        yield* user.brandMenu(chatId, profile.value)
        yield* Metric.increment(startsOf(profile.value.key))
      } else {
        yield* user.brandChooser(chatId)
      }
      yield* promptly(starts.record({
        telegramId: from.id,
        brand: Option.map(profile, (p) => p.key),
        campaign: parameter.campaign,
        at
      }))
    })

    const tap = Effect.fn("PeopleFunnel.tap")(function*(from: User, chatId: number, queryId: string, data: string) {
      const button = parseButton(data)
      switch (button._tag) {
        case "Lead":
          return yield* taps.tapService(from, chatId, queryId, button.profile, button.serviceId)
        case "Brand": {
          const profile = profiles.get(button.profile)
          return yield* Option.isSome(profile)
            ? user.answerTap(queryId).pipe(Effect.zipRight(user.brandMenu(chatId, profile.value)))
            : user.staleMenu(chatId, queryId, Option.none())
        }
        case "Handled":
        case "Unknown":
          return yield* user.staleMenu(chatId, queryId, Option.none())
      }
    })

    const other = Effect.fn("PeopleFunnel.other")((chatId: number) => user.brandChooser(chatId))

    const routes = new Composer<RoutingContext>()
    const people = routes.chatType("private")
    people.command("start", route("PeopleFunnel.start", (ctx) => start(ctx.from, ctx.chat.id, ctx.match)))
    people.on(
      "callback_query:data",
      route("PeopleFunnel.tap", (ctx) => tap(ctx.from, ctx.chat.id, ctx.callbackQuery.id, ctx.callbackQuery.data))
    )
    people.on(
      ["message:text", "message:photo", "message:document", "message:video", "message:voice"],
      route("PeopleFunnel.followUp", (ctx) => followUps.followUp(ctx.from, ctx.message))
    )
    people.on("message:contact", route("PeopleFunnel.contact", (ctx) => followUps.contact(ctx.from, ctx.message)))
    // Anything else a person sends (stickers, locations, …) still gets an answer, never silence.
    people.on("message", route("PeopleFunnel.other", (ctx) => other(ctx.chat.id)))

    return { routes } as const
  }),
  dependencies: [UserChat.Default, LeadTaps.Default, PersonFollowUps.Default]
}) {}
