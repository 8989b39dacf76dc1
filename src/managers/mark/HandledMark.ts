import { Clock, Effect, Option } from "effect"
import { Composer, type Filter } from "grammy"
import type { User } from "grammy/types"

import { Deliveries } from "../../lead/Deliveries.js"
import type { Handled } from "../../lead/Lead.js"
import { LeadStore } from "../../store/LeadStore.js"
import { Transactor } from "../../store/Transactor.js"
import { answerTap } from "../../telegram/answerTap.js"
import { parseButton } from "../../telegram/buttons.js"
import { route, type RoutingContext } from "../../telegram/routes.js"
import { TelegramBot } from "../../telegram/TelegramBot.js"
import { type ManagersChat, ManagersChats } from "../ManagersChats.js"

/** A manager as the mark names them: the @handle, else their name. */
export const managerName = (user: User): string =>
  user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(" ") || `id ${user.id}`

const pressAnswers = {
  marked: "✅ Отмечено: лид внесён в CRM.",
  already: "Этот лид уже отмечен.",
  inCrm: "Этот лид уже в CRM (доставлен автоматически)",
  gone: "Этого лида больше нет: данные человека удалены по его запросу.",
  elsewhere: "Этот лид — другого бренда: его отмечают в чате его менеджеров.",
  notManagers: "Эта кнопка — для менеджеров в рабочем чате."
} as const

/**
 * "✅ Внесено в CRM" on a fallback message: a manager entered the lead by hand. Only from the managers' chat of the
 * lead's brand; anyone else is refused politely, wherever they pressed it.
 */
export class HandledMark extends Effect.Service<HandledMark>()("HandledMark", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const deliveries = yield* Deliveries
    const leads = yield* LeadStore
    const { atomically } = yield* Transactor
    const chats = yield* ManagersChats

    /**
     * The mark is stored at once (so the tap can be answered at once) and shown on the message by delivery, in the
     * background. Says what became of the press.
     */
    const markHandled = (leadId: string, by: string, chat: ManagersChat) =>
      Effect.gen(function*() {
        const record = yield* leads.get(leadId)
        if (Option.isNone(record)) return "gone" as const
        if (chats.of(record.value.lead.profile).id !== chat.id) return "elsewhere" as const
        const outcome = record.value.outcome
        if (Option.isNone(outcome) || outcome.value._tag !== "Fallback") return "already" as const
        if (Option.isSome(record.value.reconcile.reconciledAt)) return "inCrm" as const
        const handled: Handled = { by, at: yield* Clock.currentTimeMillis }
        if (!(yield* atomically(leads.markHandled(leadId, handled)))) {
          // Refused: another manager was first, or the CRM took it a moment ago (reconciliation).
          const now = yield* leads.get(leadId)
          return Option.exists(now, (r) => Option.isSome(r.reconcile.reconciledAt))
            ? "inCrm" as const
            : "already" as const
        }
        yield* Effect.logInfo(`lead marked as entered by hand by ${by}`).pipe(Effect.annotateLogs({ lead: leadId }))
        yield* deliveries.schedule(leadId)
        return "marked" as const
      })

    const press = Effect.fn("HandledMark.press")(
      function*(from: User, chatId: number | undefined, queryId: string, leadId: string) {
        const chat = chats.at(chatId)
        const answer = Option.isNone(chat) ? "notManagers" : yield* markHandled(leadId, managerName(from), chat.value)
        return yield* answerTap(telegram, queryId, pressAnswers[answer])
      }
    )

    const routes = new Composer<RoutingContext>()
    routes.on("callback_query:data", (ctx: Filter<RoutingContext, "callback_query:data">, next) => {
      const button = parseButton(ctx.callbackQuery.data)
      if (button._tag !== "Handled") return next()
      route("HandledMark.press", () => press(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, button.leadId))(ctx)
    })
    return { routes } as const
  })
}) {}
