import { Clock, Effect, Either, FiberSet, Option } from "effect"
import { Composer, type Filter } from "grammy"
import type { Message, User } from "grammy/types"

import { deliveryBackoff } from "../concurrency/backoff.js"
import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import type { Handled, LeadRecord } from "../lead/Lead.js"
import { statsPeriod } from "../stats/statsPeriod.js"
import { StatsReport } from "../stats/StatsReport.js"
import { AdminMessages, type Concerning } from "../store/AdminMessages.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import type { StoreError } from "../store/StoreError.js"
import { Topics } from "../store/Topics.js"
import { Transactor } from "../store/Transactor.js"
import { answerTap } from "../telegram/answerTap.js"
import { parseButton } from "../telegram/buttons.js"
import { route, type RoutingContext } from "../telegram/routes.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { isRefusedForGood, type TelegramError } from "../telegram/TelegramError.js"
import { AdminChat } from "./AdminChat.js"
import { type ManagersChat, ManagersChats } from "./ManagersChats.js"
import { pendingReportHtml } from "./pendingReport.js"

export const managerName = (user: User): string =>
  user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(" ") || `id ${user.id}`

/**
 * The managers' feature, in the admin chat: mark a fallback lead as entered, ask what waits for them (/pending) and
 * where leads came from (/stats), answer people.
 */
export class ManagerTools extends Effect.Service<ManagerTools>()("ManagerTools", {
  scoped: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const deliveries = yield* Deliveries
    const leads = yield* LeadStore
    const { atomically } = yield* Transactor
    const adminMessages = yield* AdminMessages
    const relays = yield* Relays
    const topics = yield* Topics
    const admin = yield* AdminChat
    const statsReport = yield* StatsReport
    const chats = yield* ManagersChats
    const { adminChatId, adminTimeZone, relaySignature } = yield* AppConfig
    const isManagersChat = (chatId: number | undefined) => Option.isSome(chats.at(chatId))
    /** A lead is its brand's managers' (a lead of a brand no longer in locales.json: ADMIN_CHAT_ID's). */
    const isTheirs = (chat: ManagersChat, record: LeadRecord) => chats.of(record.lead.profile).id === chat.id

    /**
     * The mark is stored at once (so the tap can be answered at once) and shown on the message by delivery, in the
     * background. Says what became of the press: marked, marked before (or nothing to mark), the lead is gone
     * (its person's data was deleted on request), or it is another brand's (pressed in another managers' chat).
     */
    const markHandled = (leadId: string, by: string, chat: ManagersChat) =>
      Effect.gen(function*() {
        const record = yield* leads.get(leadId)
        if (Option.isNone(record)) return "gone" as const
        if (!isTheirs(chat, record.value)) return "elsewhere" as const
        const outcome = record.value.outcome
        if (Option.isNone(outcome) || outcome.value._tag !== "Fallback") return "already" as const
        const handled: Handled = { by, at: yield* Clock.currentTimeMillis }
        if (!(yield* atomically(leads.markHandled(leadId, handled)))) return "already" as const
        yield* Effect.logInfo(`lead marked as entered by hand by ${by}`).pipe(Effect.annotateLogs({ lead: leadId }))
        yield* deliveries.schedule(leadId)
        return "marked" as const
      })
    const pressAnswers = {
      marked: "✅ Отмечено: лид внесён в CRM.",
      already: "Этот лид уже отмечен.",
      gone: "Этого лида больше нет: данные человека удалены по его запросу.",
      elsewhere: "Этот лид — другого бренда: его отмечают в чате его менеджеров."
    } as const

    /** "✅ Внесено в CRM": only from the managers' chat of the lead's brand; anyone else is refused politely. */
    const pressHandled = Effect.fn("ManagerTools.pressHandled")(
      function*(from: User, chatId: number | undefined, queryId: string, leadId: string) {
        const chat = chats.at(chatId)
        if (Option.isNone(chat)) {
          return yield* answerTap(telegram, queryId, "Эта кнопка — для менеджеров в рабочем чате.")
        }
        return yield* answerTap(
          telegram,
          queryId,
          pressAnswers[yield* markHandled(leadId, managerName(from), chat.value)]
        )
      }
    )

    /**
     * Whom a manager's message is for: in a forum, the person whose topic it was written in (no reply needed); else
     * the person of the bot's message it replies to. The General topic, and a topic of nobody's, are no person's.
     */
    const concerningOf = (message: Message) =>
      Effect.gen(function*() {
        const thread = message.is_topic_message ? message.message_thread_id : undefined
        if (thread !== undefined) {
          const person = yield* topics.personOf(message.chat.id, thread)
          if (Option.isSome(person)) return Option.some<Concerning>({ _tag: "Person", telegramId: person.value })
        }
        const replied = message.reply_to_message
        return replied === undefined
          ? Option.none<Concerning>()
          : yield* adminMessages.concerning(message.chat.id, replied.message_id)
      })

    /**
     * A manager's message in the admin chat about a person (a reply to one of the bot's messages about them, or, in
     * a forum, anything written in their topic): recorded as
     * a relay (once, however often its update is handled), then sent by delivery. Commands, bots' messages and
     * replies to messages about nobody are not relayed, and nothing is said; a reply about a person whose data was
     * deleted is answered, once, that the contact is gone.
     */
    const relay = Effect.fn("ManagerTools.relay")(function*(message: Message) {
      const text = message.text ?? message.caption ?? ""
      if (message.from?.is_bot || text.startsWith("/")) return
      const concerning = yield* concerningOf(message)
      if (Option.isNone(concerning)) return
      const person = concerning.value._tag === "Person" ? Option.some(concerning.value.telegramId) : Option.none()
      const id = `${message.chat.id}:${message.message_id}`
      const recorded = yield* atomically(relays.record({
        id,
        adminChatId: message.chat.id,
        adminMessageId: message.message_id,
        telegramId: person,
        text,
        media: message.text === undefined,
        signature: relaySignature === "name" ? Option.fromNullable(message.from?.first_name) : Option.none(),
        createdAt: yield* Clock.currentTimeMillis
      }))
      if (Option.isSome(person)) return yield* deliveries.scheduleRelays(person.value)
      if (!recorded) return
      yield* atomically(relays.settle(id, "refused"))
      yield* admin.send(message.chat.id, "⛔ Этот контакт удалён.", { reply: message.message_id }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`the manager's notice not sent: ${e.message}`))
      )
    })

    /** A message of a command's answer; made when it is sent (a retry shows things as they stand then). */
    type Part = Effect.Effect<void, TelegramError | StoreError>

    /**
     * A command's answer in a managers' chat, its parts in order: tried at once; if the chat fails, the parts not sent
     * yet are sent in the background once it recovers, each retried with the delivery backoff; one such answer per
     * command and chat at a time. A part Telegram refuses for good (a 400) is logged and left out.
     */
    const answerer = Effect.fnUntraced(function*(command: string) {
      const retriesOf = new Map(
        yield* Effect.forEach(chats.all, (chat) => Effect.map(FiberSet.make(), (set) => [chat.id, set] as const))
      )
      return (chatId: number, parts: ReadonlyArray<Part>) => {
        const retries = retriesOf.get(chatId)!
        const explained = (e: TelegramError | StoreError) =>
          e._tag === "TelegramError" ? admin.explain(e, chatId) : e.message
        const refused = (e: TelegramError) => Effect.logError(`${command}: a part of the answer refused: ${e.message}`)
        const isTelegramError = (e: TelegramError | StoreError): e is TelegramError => e._tag === "TelegramError"
        const later = (rest: ReadonlyArray<Part>) =>
          Effect.forEach(rest, (part) =>
            part.pipe(
              Effect.tapError((e) => Effect.logWarning(`${command} not answered yet, retrying: ${explained(e)}`)),
              Effect.retry({ schedule: deliveryBackoff, while: (e) => !isTelegramError(e) || !isRefusedForGood(e) }),
              Effect.catchIf(isTelegramError, refused)
            ), { discard: true }).pipe(
              Effect.zipRight(Effect.logInfo(`${command} answered after the admin chat recovered`))
            )
        const retryInBackground = (e: TelegramError, rest: ReadonlyArray<Part>) =>
          Effect.logWarning(`${command} not answered yet, retrying in the background: ${explained(e)}`).pipe(
            Effect.zipRight(FiberSet.size(retries)),
            Effect.flatMap((running) =>
              running > 0 ? Effect.void : FiberSet.run(retries, later(rest), { propagateInterruption: false })
            )
          )
        /** Sends the parts from `from` on, until one must wait for the chat to recover. */
        const inOrder = (from: number): Effect.Effect<void, StoreError> =>
          from >= parts.length ? Effect.void : parts[from]!.pipe(
            Effect.as(true),
            Effect.catchTag("TelegramError", (e) =>
              isRefusedForGood(e)
                ? refused(e).pipe(Effect.as(true))
                : retryInBackground(e, parts.slice(from)).pipe(Effect.as(false))),
            Effect.flatMap((goOn) => (goOn ? inOrder(from + 1) : Effect.void))
          )
        return inOrder(0)
      }
    })

    /** The leads of the chat's brands that wait for the managers. */
    const report = (chat: ManagersChat) =>
      Effect.gen(function*() {
        const undelivered = (yield* leads.undelivered).filter((r) => isTheirs(chat, r))
        const awaiting = (yield* leads.awaitingEntry).filter((r) => isTheirs(chat, r))
        const now = yield* Clock.currentTimeMillis
        return pendingReportHtml(undelivered, awaiting, { adminChatId, now, timeZone: adminTimeZone })
      })
    const answerPending = yield* answerer("/pending")

    /** `/pending`: what waits for the managers of the chat's brands (answered when the chat recovers, if it fails). */
    const pending = Effect.fn("ManagerTools.pending")(function*(chat: ManagersChat) {
      yield* answerPending(chat.id, [report(chat).pipe(Effect.flatMap((html) => admin.send(chat.id, html)))])
    })

    const answerStats = yield* answerer("/stats")

    /**
     * `/stats [days | today]`, of the chat's brands: the table, then the chart (a picture drawn here; without it,
     * if it cannot be drawn, the table stands alone). A wrong argument is answered with how to ask.
     */
    const stats = Effect.fn("ManagerTools.stats")(function*(chat: ManagersChat, argument: string) {
      const period = statsPeriod(argument, yield* Clock.currentTimeMillis, adminTimeZone)
      if (Either.isLeft(period)) {
        return yield* answerStats(chat.id, [admin.send(chat.id, period.left).pipe(Effect.asVoid)])
      }
      // The chat of ADMIN_CHAT_ID also hears of brands no longer in locales.json, and of links naming no brand.
      const scope = { brands: chat.brands, others: chat.id === adminChatId }
      yield* answerStats(chat.id, [
        statsReport.table(period.right, scope).pipe(Effect.flatMap((html) => admin.send(chat.id, html)), Effect.asVoid),
        statsReport.chart(period.right, scope).pipe(
          Effect.flatMap((png) => admin.sendPhoto(chat.id, png, "stats.png", `Лиды по дням ${period.right.label}`)),
          Effect.asVoid,
          Effect.catchTag("ChartError", (e) => Effect.logWarning(`/stats: the chart was not drawn: ${e.detail}`))
        )
      ])
    })

    /**
     * The admin chat is the managers' only: nothing there enters the person's funnel. Their button pressed
     * anywhere else is refused.
     */
    const routes = new Composer<RoutingContext>()
    const handledPress = (ctx: Filter<RoutingContext, "callback_query:data">, next: () => Promise<void>) => {
      const button = parseButton(ctx.callbackQuery.data)
      if (button._tag !== "Handled") return next()
      route(
        "ManagerTools.pressHandled",
        () => pressHandled(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, button.leadId)
      )(ctx)
    }
    const managersChat = routes.filter((ctx) => isManagersChat(ctx.chat?.id))
    const chatOf = (ctx: RoutingContext) => Option.getOrThrow(chats.at(ctx.chat?.id))
    managersChat.command("pending", route("ManagerTools.pending", (ctx) => pending(chatOf(ctx))))
    managersChat.command("stats", route("ManagerTools.stats", (ctx) => stats(chatOf(ctx), ctx.match)))
    managersChat.on("message", route("ManagerTools.relay", (ctx) => relay(ctx.message)))
    managersChat.on("callback_query:data", handledPress)
    managersChat.on(
      "callback_query",
      route("ManagerTools.answerOnly", (ctx) => answerTap(telegram, ctx.callbackQuery.id))
    )
    routes.on("callback_query:data", handledPress)

    return { routes } as const
  }),
  dependencies: [AdminChat.Default, StatsReport.Default]
}) {}
