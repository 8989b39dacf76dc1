import { Data, Effect } from "effect"
import { Composer, type Context } from "grammy"
import type { Update } from "grammy/types"

import { ManagerTools } from "../managers/ManagerTools.js"
import { PeopleFunnel } from "../people/PeopleFunnel.js"
import { answerTap } from "../telegram/answerTap.js"
import type { Choose } from "../telegram/routes.js"
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

interface Chosen {
  readonly name: string
  readonly program: Effect.Effect<unknown, unknown>
}

/**
 * The bot's router: the managers' feature first (the admin chat is theirs only), then the person's funnel. grammY
 * only chooses what to do with an update; the chosen Effect then runs in the update's own fiber. Handlers never
 * fail: a failure is logged, and the update is done.
 */
export class Funnel extends Effect.Service<Funnel>()("Funnel", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const managers = yield* ManagerTools
    const people = yield* PeopleFunnel

    const chosen = new WeakMap<Update, Chosen>()
    const choose: Choose = (ctx, name, program) => void chosen.set(ctx.update, { name, program })

    const composer = new Composer<Context>()
    composer.use(managers.routes(choose))
    composer.use(people.routes(choose))
    // A stale button in any other chat is still answered, so the client stops spinning.
    composer.on("callback_query", (ctx) => choose(ctx, "Funnel.answerOnly", answerTap(telegram, ctx.callbackQuery.id)))
    telegram.bot.use(composer)

    /** Routes one update through grammY, then runs what it chose; never fails. */
    const handle = (update: Update) =>
      Effect.tryPromise({
        try: () => telegram.bot.handleUpdate(update),
        catch: (cause) => new RoutingError({ updateId: update.update_id, cause })
      }).pipe(
        Effect.flatMap(() => {
          const route = chosen.get(update)
          chosen.delete(update)
          return route === undefined
            ? Effect.void
            : route.program.pipe(Effect.catchAllCause((cause) => Effect.logError(`${route.name} failed`, cause)))
        }),
        Effect.catchAll((e) => Effect.logError(e.message))
      )
    return { handle } as const
  }),
  dependencies: [ManagerTools.Default, PeopleFunnel.Default]
}) {}
