import { Clock, Effect, Either } from "effect"
import { Composer } from "grammy"

import { AppConfig } from "../../config/AppConfig.js"
import { statsPeriod } from "../../stats/statsPeriod.js"
import { StatsReport } from "../../stats/StatsReport.js"
import { route } from "../../telegram/routes.js"
import type { InManagersChat } from "../room/inManagersChat.js"
import type { ManagersRoom } from "../room/ManagersRoom.js"
import { CommandAnswers } from "./CommandAnswers.js"

/**
 * `/stats [days | today]` in a managers' chat, of its brands: the table, then the chart (a picture drawn here;
 * without it, if it cannot be drawn, the table stands alone). A wrong argument is answered with how to ask.
 */
export class StatsCommand extends Effect.Service<StatsCommand>()("StatsCommand", {
  effect: Effect.gen(function*() {
    const statsReport = yield* StatsReport
    const answers = yield* CommandAnswers
    const { adminChatId, adminTimeZone } = yield* AppConfig

    const stats = Effect.fn("StatsCommand.stats")(function*(room: ManagersRoom, argument: string) {
      const period = statsPeriod(argument, yield* Clock.currentTimeMillis, adminTimeZone)
      if (Either.isLeft(period)) return yield* answers.answer("/stats", room, [room.send(period.left)])
      // The chat of ADMIN_CHAT_ID also hears of brands no longer in locales.json, and of links naming no brand.
      const scope = { brands: room.chat.brands, others: room.chat.id === adminChatId }
      yield* answers.answer("/stats", room, [
        statsReport.table(period.right, scope).pipe(Effect.flatMap((html) => room.send(html))),
        statsReport.chart(period.right, scope).pipe(
          Effect.flatMap((png) => room.sendPhoto(png, "stats.png", `Лиды по дням ${period.right.label}`)),
          Effect.catchTag("ChartError", (e) => Effect.logWarning(`/stats: the chart was not drawn: ${e.detail}`))
        )
      ])
    })

    const routes = new Composer<InManagersChat>()
    routes.command("stats", route("StatsCommand.stats", (ctx) => stats(ctx.room, ctx.match)))
    return { routes } as const
  }),
  dependencies: [CommandAnswers.Default, StatsReport.Default]
}) {}
