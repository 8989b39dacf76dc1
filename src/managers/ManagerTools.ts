import { Clock, Effect, FiberSet } from "effect"
import { Composer, type Context, type Filter } from "grammy"
import type { User } from "grammy/types"

import { AdminChat } from "../admin/AdminChat.js"
import { AppConfig } from "../config/AppConfig.js"
import { deliveryBackoff } from "../delivery/backoff.js"
import { Delivery } from "../delivery/Delivery.js"
import { LeadStore } from "../store/LeadStore.js"
import { answerTap } from "../telegram/answerTap.js"
import { parseButton } from "../telegram/buttons.js"
import type { Choose } from "../telegram/routes.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { pendingReportHtml } from "./pendingReport.js"

export const managerName = (user: User): string =>
  user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(" ") || `id ${user.id}`

/** The managers' feature, in the admin chat: mark a fallback lead as entered, and ask what waits for them. */
export class ManagerTools extends Effect.Service<ManagerTools>()("ManagerTools", {
  scoped: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const delivery = yield* Delivery
    const leads = yield* LeadStore
    const admin = yield* AdminChat
    const { adminChatId, adminTimeZone } = yield* AppConfig
    const isAdminChat = (chatId: number | undefined) => chatId === adminChatId

    /** "✅ Внесено в CRM": only from the admin chat; anyone else is refused politely. */
    const pressHandled = Effect.fn("ManagerTools.pressHandled")(
      function*(from: User, chatId: number | undefined, queryId: string, leadId: string) {
        if (!isAdminChat(chatId)) {
          return yield* answerTap(telegram, queryId, "Эта кнопка — для менеджеров в рабочем чате.")
        }
        const marked = yield* delivery.markHandled(leadId, managerName(from))
        return yield* answerTap(telegram, queryId, marked ? "✅ Отмечено: лид внесён в CRM." : "Этот лид уже отмечен.")
      }
    )

    const report = Effect.gen(function*() {
      const undelivered = yield* leads.undelivered
      const awaiting = yield* leads.awaitingEntry
      const now = yield* Clock.currentTimeMillis
      return pendingReportHtml(undelivered, awaiting, { adminChatId, now, timeZone: adminTimeZone })
    })

    // A /pending asked while the admin chat fails is answered (as things stand then) once it works; one at a time.
    const retries = yield* FiberSet.make()
    const answerLater = report.pipe(
      Effect.flatMap(admin.send),
      Effect.tapError((e) =>
        Effect.logWarning(
          `/pending not answered yet, retrying: ${e._tag === "TelegramError" ? admin.explain(e) : e.message}`
        )
      ),
      Effect.retry(deliveryBackoff),
      Effect.zipRight(Effect.logInfo("/pending answered after the admin chat recovered"))
    )

    /** `/pending`: tried at once; if the admin chat fails, answered in the background when it recovers. */
    const pending = Effect.fn("ManagerTools.pending")(function*() {
      yield* report.pipe(
        Effect.flatMap(admin.send),
        Effect.catchTag(
          "TelegramError",
          (e) =>
            Effect.logWarning(`/pending not answered yet, retrying in the background: ${admin.explain(e)}`).pipe(
              Effect.zipRight(FiberSet.size(retries)),
              Effect.flatMap((running) =>
                running > 0 ? Effect.void : FiberSet.run(retries, answerLater, { propagateInterruption: false })
              )
            )
        )
      )
    })

    /**
     * The admin chat is the managers' only: nothing there enters the person's funnel. Their button pressed
     * anywhere else is refused.
     */
    const routes = (choose: Choose) => {
      const composer = new Composer<Context>()
      const handledPress = (ctx: Filter<Context, "callback_query:data">, next: () => Promise<void>) => {
        const button = parseButton(ctx.callbackQuery.data)
        if (button._tag !== "Handled") return next()
        choose(
          ctx,
          "ManagerTools.pressHandled",
          pressHandled(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, button.leadId)
        )
      }
      const managersChat = composer.filter((ctx) => isAdminChat(ctx.chat?.id))
      managersChat.command("pending", (ctx) => choose(ctx, "ManagerTools.pending", pending()))
      managersChat.on("callback_query:data", handledPress)
      managersChat.on(
        "callback_query",
        (ctx) => choose(ctx, "ManagerTools.answerOnly", answerTap(telegram, ctx.callbackQuery.id))
      )
      composer.on("callback_query:data", handledPress)
      return composer
    }

    return { routes } as const
  }),
  dependencies: [Delivery.Default, AdminChat.Default]
}) {}
