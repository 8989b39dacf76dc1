import { Clock, Effect, Metric, Option } from "effect"
import { Composer } from "grammy"
import type { User } from "grammy/types"

import { parseStartParameter } from "../lead/Campaign.js"
import { labelled, startsCounted } from "../metrics/metrics.js"
import { ConsentStep } from "../privacy/ConsentStep.js"
import { Profiles } from "../profiles/Profiles.js"
import { StartEvents } from "../store/StartEvents.js"
import type { StoreError } from "../store/StoreError.js"
import { Transactor } from "../store/Transactor.js"
import { parseButton } from "../telegram/buttons.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import { route, type RoutingContext } from "../telegram/routes.js"
import type { TelegramError } from "../telegram/TelegramError.js"
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
    const consent = yield* ConsentStep
    const startsOf = labelled(startsCounted, "brand")

    /**
     * Where consent is asked: `ask` (the consent step) instead of `go` while the person has not accepted the current
     * version. Without a consent section, `go` and nothing else: no read.
     */
    const withConsent = <A, E>(
      telegramId: number,
      go: Effect.Effect<A, E>,
      ask: Effect.Effect<unknown, E | TelegramError | StoreError>
    ) =>
      !consent.required
        ? go
        : Effect.flatMap(consent.needed(telegramId), (needed) => (needed ? Effect.asVoid(ask) : go))

    /**
     * A deep link (`start=<brand>` or `start=<brand>-<campaign>`): the brand's services, or the chooser for a brand
     * not ours; then the /start is recorded (the campaign is kept either way: the person's latest /start is the one
     * in force at their tap). The person first: the write's commit overlaps their reading of the menu, and a crash
     * before it commits leaves the update unhandled, so it is handled (and recorded) again.
     */
    const showStart = Effect.fn("PeopleFunnel.start")(function*(from: User, chatId: number, payload: string) {
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

    /** A /start, after the consent step where it is asked (what it named is kept through the step). */
    const start = (from: User, chatId: number, payload: string) =>
      withConsent(from.id, showStart(from, chatId, payload), consent.ask(from.id, chatId, Option.some(payload)))

    /** A tap before consent: the pop-up that says so, then the consent step (the brand tapped kept through it). */
    const askFirst = (from: User, chatId: number, queryId: string, brand: Option.Option<string>) =>
      user.answerTap(queryId, user.texts.consent_needed).pipe(
        Effect.catchAll((e) => Effect.logWarning(e.message)),
        Effect.zipRight(consent.ask(from.id, chatId, Option.none(), brand))
      )

    /** The consent accepted: on as if the /start the step kept (or a bare one) had just come. */
    const accepted = (from: User, chatId: number, queryId: string, acceptKey: string) =>
      consent.accept(from.id, chatId, queryId, acceptKey).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.void,
          onSome: (payload) => showStart(from, chatId, Option.getOrElse(payload, () => ""))
        }))
      )

    const tap = Effect.fn("PeopleFunnel.tap")(function*(from: User, chatId: number, queryId: string, data: string) {
      const button = parseButton(data)
      switch (button._tag) {
        case "Lead":
          return yield* withConsent(
            from.id,
            taps.tapService(from, chatId, queryId, button.profile, button.serviceId),
            askFirst(from, chatId, queryId, Option.some(button.profile))
          )
        case "Brand": {
          const profile = profiles.get(button.profile)
          return yield* Option.isSome(profile)
            ? user.answerTap(queryId).pipe(Effect.zipRight(user.brandMenu(chatId, profile.value)))
            : user.staleMenu(chatId, queryId, Option.none())
        }
        case "Consent":
          return yield* accepted(from, chatId, queryId, button.acceptKey)
        case "Handled":
        case "Take":
        case "Forget":
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
      route("PeopleFunnel.followUp", (ctx) =>
        withConsent(
          ctx.from.id,
          followUps.followUp(ctx.from, ctx.message),
          consent.ask(ctx.from.id, ctx.chat.id, Option.none())
        ))
    )
    people.on(
      "message:contact",
      route("PeopleFunnel.contact", (ctx) =>
        withConsent(
          ctx.from.id,
          followUps.contact(ctx.from, ctx.message),
          user.send(ctx.chat.id, escapeHtml(user.texts.consent_needed)).pipe(
            Effect.zipRight(consent.ask(ctx.from.id, ctx.chat.id, Option.none()))
          )
        ))
    )
    // Anything else a person sends (stickers, locations, …) still gets an answer, never silence.
    people.on("message", route("PeopleFunnel.other", (ctx) => other(ctx.chat.id)))

    return { routes } as const
  }),
  dependencies: [UserChat.Default, LeadTaps.Default, PersonFollowUps.Default, ConsentStep.Default]
}) {}
