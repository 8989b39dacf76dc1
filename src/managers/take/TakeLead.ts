import { Clock, Effect, Metric, Option } from "effect"
import { Composer, type Filter } from "grammy"
import type { User } from "grammy/types"

import { Deliveries } from "../../lead/Deliveries.js"
import { labelled, leadsTaken } from "../../metrics/metrics.js"
import { fillText } from "../../profiles/LocalesSchema.js"
import { Profiles } from "../../profiles/Profiles.js"
import { LeadStore } from "../../store/LeadStore.js"
import { answerTap } from "../../telegram/answerTap.js"
import { parseButton } from "../../telegram/buttons.js"
import { route, type RoutingContext } from "../../telegram/routes.js"
import { TelegramBot } from "../../telegram/TelegramBot.js"
import { ManagersChats } from "../ManagersChats.js"
import { takerName } from "../views/render.js"

const takenOf = labelled(leadsTaken, "brand")

/** A taker's first name, from how the take line names them (`Анна (@anna)`). */
const firstNameOf = (by: string) => by.replace(/ \(@[^)]*\)$/, "")

/**
 * "🙋 Беру" on a lead's message: the first manager to press it takes the lead (one taker, however many press at
 * once, on any replica); the message then says who, and the button goes (delivery shows it). Only in the managers'
 * chat of the lead's brand.
 */
export class TakeLead extends Effect.Service<TakeLead>()("TakeLead", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const deliveries = yield* Deliveries
    const leads = yield* LeadStore
    const chats = yield* ManagersChats
    const { texts } = yield* Profiles

    const take = Effect.fn("TakeLead.take")(
      function*(from: User, chatId: number | undefined, queryId: string, leadId: string) {
        const chat = chats.at(chatId)
        if (Option.isNone(chat)) {
          return yield* answerTap(telegram, queryId, "Эта кнопка — для менеджеров в рабочем чате.")
        }
        const record = yield* leads.get(leadId)
        if (Option.isNone(record)) {
          return yield* answerTap(telegram, queryId, "Этого лида больше нет: данные человека удалены по его запросу.")
        }
        const { lead } = record.value
        if (chats.of(lead.profile).id !== chat.value.id) {
          return yield* answerTap(telegram, queryId, "Этот лид — другого бренда: его берут в чате его менеджеров.")
        }
        const took = yield* leads.take(leadId, {
          by: takerName(from),
          byId: from.id,
          at: yield* Clock.currentTimeMillis
        })
        if (Option.isNone(took)) {
          return yield* answerTap(telegram, queryId, "Этого лида больше нет: данные человека удалены по его запросу.")
        }
        if (!took.value.won) {
          return yield* answerTap(
            telegram,
            queryId,
            fillText(texts, "taken_already", { name: firstNameOf(took.value.taker.by) })
          )
        }
        yield* Metric.increment(takenOf(lead.profile))
        yield* Effect.logInfo(`lead taken by ${took.value.taker.by}`).pipe(Effect.annotateLogs({ lead: leadId }))
        yield* deliveries.schedule(leadId)
        return yield* answerTap(telegram, queryId, "🙋 Лид ваш.")
      }
    )

    const routes = new Composer<RoutingContext>()
    routes.on("callback_query:data", (ctx: Filter<RoutingContext, "callback_query:data">, next) => {
      const button = parseButton(ctx.callbackQuery.data)
      if (button._tag !== "Take") return next()
      route("TakeLead.take", () => take(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, button.leadId))(ctx)
    })
    return { routes } as const
  })
}) {}
