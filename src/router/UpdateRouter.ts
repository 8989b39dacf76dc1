import { Data, Effect, Layer } from "effect"
import { Composer, Context } from "grammy"
import type { Update } from "grammy/types"

import { DeliveriesLive } from "../delivery/Delivery.js"
import { ManagerTools } from "../managers/ManagerTools.js"
import { PeopleFunnel } from "../people/PeopleFunnel.js"
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
 * Routes each update to a feature: the managers' first (the admin chat is theirs only), then the person's funnel.
 * grammY only chooses the route; its program then runs in the update's own fiber. Never fails: a failure is logged,
 * and the update is done.
 */
export class UpdateRouter extends Effect.Service<UpdateRouter>()("UpdateRouter", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const managers = yield* ManagerTools
    const people = yield* PeopleFunnel

    const composer = new Composer<RoutingContext>()
    composer.use(managers.routes)
    composer.use(people.routes)
    // A stale button in any other chat is still answered, so the client stops spinning.
    composer.on("callback_query", route("UpdateRouter.answerOnly", (ctx) => answerTap(telegram, ctx.callbackQuery.id)))
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
  // The features reach the delivery worker through its door only.
  dependencies: [Layer.mergeAll(ManagerTools.Default, PeopleFunnel.Default).pipe(Layer.provide(DeliveriesLive))]
}) {}
