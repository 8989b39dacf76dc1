import { randomUUID } from "node:crypto"

import { Clock, Duration, Effect, Fiber, FiberRef, Metric, Option } from "effect"
import { Composer, type Context } from "grammy"
import type { Message, User } from "grammy/types"

import { Delivery } from "../delivery/Delivery.js"
import type { Contact, FollowUp, Lead } from "../lead/Lead.js"
import { confirmationSeconds, labelled, leadsRecorded, updateArrivedAt } from "../metrics/metrics.js"
import { type Profile, Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"
import { parseButton } from "../telegram/buttons.js"
import type { Choose } from "../telegram/routes.js"
import { UserChat } from "./UserChat.js"

const recordedOf = labelled(leadsRecorded, "brand")

/** A second tap on the same service within this window is answered but makes no second lead. */
export const REPEAT_TAP_WINDOW = Duration.minutes(10)

const contactOf = (user: User): Contact => ({
  telegramId: user.id,
  fullName: [user.first_name, user.last_name].filter(Boolean).join(" "),
  username: Option.fromNullable(user.username)
})

type Media = FollowUp["media"]
const mediaOf = (message: Message): Media =>
  message.photo
    ? Option.some("photo")
    : message.document
    ? Option.some("document")
    : message.video
    ? Option.some("video")
    : message.voice
    ? Option.some("voice")
    : Option.none()

/**
 * The person's funnel: a deep link shows a brand's services, a tap makes a lead (recorded, then confirmed, then
 * delivered in the background), what they send next reaches the managers.
 */
export class PeopleFunnel extends Effect.Service<PeopleFunnel>()("PeopleFunnel", {
  effect: Effect.gen(function*() {
    const profiles = yield* Profiles
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const delivery = yield* Delivery
    const user = yield* UserChat
    const transactor = yield* Transactor

    const start = Effect.fn("Funnel.start")(function*(chatId: number, payload: string) {
      const profile = profiles.get(payload.trim().toLowerCase())
      return yield* Option.isSome(profile) ? user.brandMenu(chatId, profile.value) : user.brandChooser(chatId)
    })

    const staleButton = (chatId: number, queryId: string, profile: Option.Option<Profile>) =>
      user.answerTap(queryId, user.texts.stale_menu).pipe(
        Effect.catchAll((e) => Effect.logWarning(e.message)),
        Effect.zipRight(
          Option.match(profile, { onSome: (p) => user.brandMenu(chatId, p), onNone: () => user.brandChooser(chatId) })
        )
      )

    /** The confirmation's latency, from the update's arrival (when the fiber handling it knows it). */
    const confirmed = Effect.all([FiberRef.get(updateArrivedAt), Clock.currentTimeMillis]).pipe(
      Effect.flatMap(([arrivedAt, now]) =>
        arrivedAt === undefined ? Effect.void : Metric.update(confirmationSeconds, Math.max(0, now - arrivedAt) / 1000)
      )
    )

    const tapService = (from: User, chatId: number, queryId: string, profileKey: string, serviceId: string) =>
      Effect.gen(function*() {
        const profile = profiles.get(profileKey)
        const service = Option.flatMap(
          profile,
          (p) => Option.fromNullable(p.services.find((s) => s.id === serviceId))
        )
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
        const recorded = yield* transactor.atomically(
          leads.record(fresh, now - Duration.toMillis(REPEAT_TAP_WINDOW)).pipe(
            Effect.tap((isNew) => (isNew ? followUps.attach(from.id, fresh.id) : Effect.void))
          )
        )
        // Not recorded: a second tap (a pop-up), or this very tap replayed after the process stopped before the
        // person saw the confirmation, which is still owed to them.
        const lead = recorded ? fresh : Option.getOrUndefined(yield* leads.owedConfirmation(queryId))
        if (lead === undefined) return yield* user.answerTap(queryId, user.texts.already_accepted)
        yield* Effect.logInfo(
          recorded ? `lead recorded: ${lead.profile}/${serviceId}` : "confirmation owed from before a restart"
        ).pipe(Effect.annotateLogs({ lead: lead.id }))
        if (recorded) yield* Metric.increment(recordedOf(lead.profile))
        // The person first: the tap's spinner and the confirmation go out together, and the CRM call starts
        // after them (it runs in the background either way; this keeps a burst's confirmations in front of it).
        // The confirmation is marked sent as soon as Telegram has it, not after the spinner too: a crash in between
        // sends it once more after the restart.
        const markSent = Clock.currentTimeMillis.pipe(
          Effect.flatMap((at) => transactor.promptly(leads.markConfirmed(lead.id, at)))
        )
        yield* Effect.gen(function*() {
          const confirming = yield* Effect.fork(
            user.confirmation(chatId, profile.value, lead.title).pipe(
              Effect.zipRight(confirmed),
              Effect.zipRight(markSent)
            )
          )
          // The spinner's answer goes out first (Telegram asks for it at once); the confirmation right with it.
          yield* user.answerTap(queryId).pipe(Effect.catchAll((e) => Effect.logWarning(e.message)))
          yield* Fiber.join(confirming)
        }).pipe(Effect.ensuring(delivery.schedule(lead.id)))
      })

    const tap = Effect.fn("Funnel.tap")(function*(from: User, chatId: number, queryId: string, data: string) {
      const button = parseButton(data)
      switch (button._tag) {
        case "Lead":
          return yield* tapService(from, chatId, queryId, button.profile, button.serviceId)
        case "Brand": {
          const profile = profiles.get(button.profile)
          return yield* Option.isSome(profile)
            ? user.answerTap(queryId).pipe(Effect.zipRight(user.brandMenu(chatId, profile.value)))
            : staleButton(chatId, queryId, Option.none())
        }
        case "Handled":
        case "Unknown":
          return yield* staleButton(chatId, queryId, Option.none())
      }
    })

    const followUp = Effect.fn("Funnel.followUp")(function*(from: User, message: Message) {
      const chatId = message.chat.id
      const text = message.text ?? message.caption ?? ""
      const latest = yield* followUps.latestLead(from.id)
      if (Option.isNone(latest) || text.startsWith("/")) return yield* user.brandChooser(chatId)
      // The follow-up and the news that its lead has work again, together.
      const queued = yield* transactor.atomically(
        followUps.add({ leadId: latest.value, chatId, messageId: message.message_id, media: mediaOf(message), text })
          .pipe(Effect.tap(() => Clock.currentTimeMillis.pipe(Effect.flatMap((at) => leads.wake(latest.value, at)))))
      )
      yield* Effect.logInfo(`follow-up ${queued.seq} queued`).pipe(Effect.annotateLogs({ lead: latest.value }))
      yield* delivery.schedule(latest.value)
      yield* user.send(chatId, user.texts.follow_up_thanks)
    })

    const other = Effect.fn("Funnel.other")((chatId: number) => user.brandChooser(chatId))

    /** The person's routes: private chats only. */
    const routes = (choose: Choose) => {
      const composer = new Composer<Context>()
      const people = composer.chatType("private")
      people.command("start", (ctx) => choose(ctx, "Funnel.start", start(ctx.chat.id, ctx.match)))
      people.on(
        "callback_query:data",
        (ctx) => choose(ctx, "Funnel.tap", tap(ctx.from, ctx.chat.id, ctx.callbackQuery.id, ctx.callbackQuery.data))
      )
      people.on(
        ["message:text", "message:photo", "message:document", "message:video", "message:voice"],
        (ctx) => choose(ctx, "Funnel.followUp", followUp(ctx.from, ctx.message))
      )
      // Anything else a person sends (stickers, contacts, …) still gets an answer, never silence.
      people.on("message", (ctx) => choose(ctx, "Funnel.other", other(ctx.chat.id)))
      return composer
    }

    return { routes } as const
  }),
  dependencies: [UserChat.Default, Delivery.Default]
}) {}
