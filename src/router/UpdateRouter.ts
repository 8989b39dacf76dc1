import { Data, Effect } from "effect"
import { Composer, Context, type Filter } from "grammy"
import type { Update } from "grammy/types"

import { PendingCommand } from "../managers/commands/PendingCommand.js"
import { StatsCommand } from "../managers/commands/StatsCommand.js"
import { HandledMark } from "../managers/mark/HandledMark.js"
import { inManagersChat } from "../managers/room/inManagersChat.js"
import { ManagersRooms } from "../managers/room/ManagersRooms.js"
import { TakeLead } from "../managers/take/TakeLead.js"
import { PeopleFunnel } from "../people/PeopleFunnel.js"
import { PrivacyCommands } from "../privacy/PrivacyCommands.js"
import { RelayRoutes } from "../relay/RelayRoutes.js"
import { TemplateReply } from "../relay/TemplateReply.js"
import { answerTap } from "../telegram/answerTap.js"
import { route, type RoutingContext } from "../telegram/routes.js"
import { TelegramBot } from "../telegram/TelegramBot.js"

/** grammY's routing itself threw: a bug in a handler, not a failed Bot API call. */
export class RoutingError
  extends Data.TaggedError("RoutingError")<{ readonly updateId: number; readonly cause: unknown }>
{
  override get message() {
    return `routing update ${this.updateId} failed: ${
      this.cause instanceof Error ? this.cause.message : String(this.cause)
    }`
  }
}

/**
 * Routes each update to a feature (grammY's structuring guide: a Composer per feature): the managers' mark wherever
 * its button is pressed; in a managers' chat, which is theirs only, their commands and the relay; the person's
 * rights (/mydata, /forget); then the person's funnel. grammY only chooses the route; its program then runs in the
 * update's own fiber. Never fails: a failure is logged, and the update is done.
 */
export class UpdateRouter extends Effect.Service<UpdateRouter>()("UpdateRouter", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const rooms = yield* ManagersRooms
    const features = {
      mark: yield* HandledMark,
      take: yield* TakeLead,
      pending: yield* PendingCommand,
      stats: yield* StatsCommand,
      templates: yield* TemplateReply,
      relay: yield* RelayRoutes,
      privacy: yield* PrivacyCommands,
      people: yield* PeopleFunnel
    }
    /** A press no feature takes is still answered, so the client stops spinning. */
    const answerOnly = route(
      "UpdateRouter.answerOnly",
      (ctx: Filter<RoutingContext, "callback_query">) => answerTap(telegram, ctx.callbackQuery.id)
    )

    const composer = new Composer<RoutingContext>()
    composer.use(features.mark.routes, features.take.routes)
    const managersChat = composer.filter(inManagersChat(rooms.at))
    managersChat.use(features.pending.routes, features.stats.routes, features.templates.routes, features.relay.routes)
    managersChat.on("callback_query", answerOnly)
    composer.use(features.privacy.routes)
    composer.use(features.people.routes)
    composer.on("callback_query", answerOnly)
    const middleware = composer.middleware()

    /** The route grammY chooses for the update, if any. */
    const choose = (update: Update) =>
      Effect.tryPromise({
        try: async () => {
          const ctx: RoutingContext = new Context(update, telegram.bot.api, telegram.bot.botInfo)
          await middleware(ctx, () => Promise.resolve())
          return ctx.route
        },
        catch: (cause) => new RoutingError({ updateId: update.update_id, cause })
      })

    /** Routes one update, then runs the program of its route; never fails. */
    const handle = (update: Update) =>
      choose(update).pipe(
        Effect.flatMap((chosen) =>
          chosen === undefined
            ? Effect.void
            : chosen.program.pipe(Effect.catchAllCause((cause) => Effect.logError(`${chosen.name} failed`, cause)))
        ),
        Effect.catchAll((e) => Effect.logError(e.message))
      )
    return { handle } as const
  }),
  // The features hand work to the delivery loops through their door (Deliveries), which the app provides.
  dependencies: [
    HandledMark.Default,
    TakeLead.Default,
    PendingCommand.Default,
    StatsCommand.Default,
    TemplateReply.Default,
    RelayRoutes.Default,
    PrivacyCommands.Default,
    PeopleFunnel.Default,
    ManagersRooms.Default
  ]
}) {}
