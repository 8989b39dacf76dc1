import { Clock, Duration, Effect, Option } from "effect"
import { Composer, type Context } from "grammy"
import type { Message, Update, User } from "grammy/types"
import { randomUUID } from "node:crypto"
import type { Contact, FollowUp, Lead } from "../lead/Lead.js"
import { type Profile, Profiles } from "../profiles/Profiles.js"
import { ManagerTools } from "../admin/ManagerTools.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { Delivery } from "../delivery/Delivery.js"
import { parseButton } from "./buttons.js"
import { UserChat } from "./UserChat.js"

/** A second tap on the same service within this window is answered but makes no second lead. */
export const REPEAT_TAP_WINDOW = Duration.minutes(10)

const contactOf = (user: User): Contact => ({
  telegramId: user.id,
  fullName: [user.first_name, user.last_name].filter(Boolean).join(" "),
  username: Option.fromNullable(user.username)
})

type Media = FollowUp["media"]
const mediaOf = (message: Message): Media =>
  message.photo ? Option.some("photo")
  : message.document ? Option.some("document")
  : message.video ? Option.some("video")
  : message.voice ? Option.some("voice")
  : Option.none()

/**
 * The funnel: grammY routes each update; every handler body is an Effect over the services.
 * Handlers never throw: a failure is logged, and the update is done.
 */
export class Funnel extends Effect.Service<Funnel>()("Funnel", {
  effect: Effect.gen(function* () {
    const telegram = yield* TelegramBot
    const profiles = yield* Profiles
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const delivery = yield* Delivery
    const user = yield* UserChat
    const managers = yield* ManagerTools
    const transactor = yield* Transactor
    // grammY only chooses what to do with an update; the chosen Effect then runs in the update's own fiber
    // (not a second fiber per update started from inside the middleware).
    const chosen = new WeakMap<Update, { readonly name: string; readonly program: Effect.Effect<unknown, unknown> }>()
    const choose = (ctx: Context, name: string, program: Effect.Effect<unknown, unknown>) => {
      chosen.set(ctx.update, { name, program })
    }

    const start = (chatId: number, payload: string) =>
      Option.match(profiles.get(payload.trim().toLowerCase()), {
        onSome: (profile) => user.brandMenu(chatId, profile),
        onNone: () => user.brandChooser(chatId)
      })

    const tapService = (from: User, chatId: number, queryId: string, profileKey: string, serviceId: string) =>
      Effect.gen(function* () {
        const profile = profiles.get(profileKey)
        const service = Option.flatMap(profile, (p) => Option.fromNullable(p.services.find((s) => s.id === serviceId)))
        if (Option.isNone(profile) || Option.isNone(service)) return yield* staleButton(chatId, queryId, profile)
        const now = yield* Clock.currentTimeMillis
        const fresh: Lead = {
          id: randomUUID(),
          profile: profile.value.key,
          brandName: profile.value.name,
          serviceId,
          title: service.value.title,
          contact: contactOf(from),
          createdAt: now,
          tapId: queryId
        }
        // The lead (unless the person tapped this service within the window) and the person's pointer to it, in
        // one transaction, before they are answered.
        const recorded = yield* transactor.atomically(leads.record(fresh, now - Duration.toMillis(REPEAT_TAP_WINDOW)).pipe(
          Effect.tap((isNew) => (isNew ? followUps.attach(from.id, fresh.id) : Effect.void))
        ))
        // Not recorded: a second tap (a pop-up), or this very tap replayed after the process stopped before the
        // person saw the confirmation, which is still owed to them.
        const lead = recorded ? fresh : Option.getOrUndefined(yield* leads.owedConfirmation(queryId))
        if (lead === undefined) return yield* user.answerTap(queryId, user.texts.already_accepted)
        yield* Effect.logInfo(recorded ? `lead recorded: ${lead.profile}/${serviceId}` : "confirmation owed from before a restart").pipe(
          Effect.annotateLogs({ lead: lead.id })
        )
        // The person first: the tap's spinner and the confirmation go out together, and the CRM call starts
        // after them (it runs in the background either way; this keeps a burst's confirmations in front of it).
        yield* Effect.all([
          user.answerTap(queryId).pipe(Effect.catchAll((e) => Effect.logWarning(e.message))),
          user.confirmation(chatId, profile.value, lead.title)
        ], { concurrency: 2, discard: true }).pipe(
          Effect.zipRight(Clock.currentTimeMillis.pipe(Effect.flatMap((at) => transactor.atomically(leads.markConfirmed(lead.id, at))))),
          Effect.ensuring(delivery.schedule(lead.id))
        )
      })

    const staleButton = (chatId: number, queryId: string, profile: Option.Option<Profile>) =>
      user.answerTap(queryId, user.texts.stale_menu).pipe(
        Effect.catchAll((e) => Effect.logWarning(e.message)),
        Effect.zipRight(Option.match(profile, { onSome: (p) => user.brandMenu(chatId, p), onNone: () => user.brandChooser(chatId) }))
      )

    const tap = (from: User, chatId: number, queryId: string, data: string) => {
      const button = parseButton(data)
      switch (button._tag) {
        case "Lead":
          return tapService(from, chatId, queryId, button.profile, button.serviceId)
        case "Brand":
          return Option.match(profiles.get(button.profile), {
            onSome: (p) => user.answerTap(queryId).pipe(Effect.zipRight(user.brandMenu(chatId, p))),
            onNone: () => staleButton(chatId, queryId, Option.none())
          })
        case "Unknown":
          return staleButton(chatId, queryId, Option.none())
      }
    }

    const followUp = (from: User, message: Message) =>
      Effect.gen(function* () {
        const chatId = message.chat.id
        const text = message.text ?? message.caption ?? ""
        const latest = yield* followUps.latestLead(from.id)
        if (Option.isNone(latest) || text.startsWith("/")) return yield* user.brandChooser(chatId)
        const queued = yield* followUps.add({ leadId: latest.value, chatId, messageId: message.message_id, media: mediaOf(message), text })
        yield* Effect.logInfo(`follow-up ${queued.seq} queued`).pipe(Effect.annotateLogs({ lead: latest.value }))
        yield* delivery.schedule(latest.value)
        yield* user.send(chatId, user.texts.follow_up_thanks)
      })

    const composer = new Composer()
    // The admin chat: managers' tools only; nothing there enters the funnel.
    const managersChat = composer.filter((ctx) => managers.isAdminChat(ctx.chat?.id))
    managersChat.command("pending", (ctx) => choose(ctx, "Managers.pending", managers.pending))
    managersChat.callbackQuery(/^done:(.+)$/, (ctx) =>
      choose(ctx, "Managers.handled", managers.pressHandled(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, ctx.match[1]!)))
    managersChat.on("callback_query", (ctx) => choose(ctx, "Managers.answerOnly", user.answerTap(ctx.callbackQuery.id)))
    composer.callbackQuery(/^done:(.+)$/, (ctx) =>
      choose(ctx, "Managers.refused", managers.pressHandled(ctx.from, ctx.chat?.id, ctx.callbackQuery.id, ctx.match[1]!)))
    const people = composer.chatType("private")
    people.command("start", (ctx) => choose(ctx, "Funnel.start", start(ctx.chat.id, ctx.match)))
    people.on("callback_query:data", (ctx) =>
      choose(ctx, "Funnel.tap", tap(ctx.from, ctx.chat.id, ctx.callbackQuery.id, ctx.callbackQuery.data)))
    people.on(["message:text", "message:photo", "message:document", "message:video", "message:voice"], (ctx) =>
      choose(ctx, "Funnel.followUp", followUp(ctx.from, ctx.message)))
    // Anything else a person sends (stickers, contacts, …) still gets an answer, never silence.
    people.on("message", (ctx) => choose(ctx, "Funnel.other", user.brandChooser(ctx.chat.id)))
    // A stale button in any other chat is still answered, so the client stops spinning.
    composer.on("callback_query", (ctx) => choose(ctx, "Funnel.answerOnly", user.answerTap(ctx.callbackQuery.id)))
    telegram.bot.use(composer)

    /** Routes one update through grammY, then runs what it chose; never fails. */
    const handle = (update: Update) =>
      telegram.call("handleUpdate", () => telegram.bot.handleUpdate(update)).pipe(
        Effect.flatMap(() => {
          const route = chosen.get(update)
          chosen.delete(update)
          return route === undefined ? Effect.void : route.program.pipe(
            Effect.catchAllCause((cause) => Effect.logError(`${route.name} failed`, cause)),
            // Its stack trace would always point here; capturing one cost about 80 µs an update (BENCHMARKS.md).
            Effect.withSpan(route.name, { captureStackTrace: false })
          )
        }),
        Effect.catchAll((e) => Effect.logError(`update ${update.update_id} not handled: ${e.message}`))
      )
    return { handle } as const
  })
}) {}
