import { Clock, Effect, Option } from "effect"
import { Composer } from "grammy"
import type { Message } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import type { InManagersChat } from "../managers/room/inManagersChat.js"
import type { ManagersRoom } from "../managers/room/ManagersRoom.js"
import { takerName } from "../managers/views/render.js"
import { fillPlaceholders } from "../profiles/placeholders.js"
import { Profiles } from "../profiles/Profiles.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import { Transactor } from "../store/Transactor.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import { route } from "../telegram/routes.js"
import { WhomItConcerns } from "./WhomItConcerns.js"

/**
 * `/t <key>` in a managers' chat, replying to a message about a person (or written in their topic): the template of
 * their lead's brand goes to them through the relay (once, 👍, the ⛔ notice, RELAY_SIGNATURE — as a typed reply),
 * its `{name}`, `{brand}`, `{service}` filled and escaped. `/t` alone, or an unknown key, is answered with the keys.
 */
export class TemplateReply extends Effect.Service<TemplateReply>()("TemplateReply", {
  effect: Effect.gen(function*() {
    const whom = yield* WhomItConcerns
    const relays = yield* Relays
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const deliveries = yield* Deliveries
    const profiles = yield* Profiles
    const { atomically } = yield* Transactor
    const { relaySignature } = yield* AppConfig

    const say = (room: ManagersRoom, message: Message, text: string) =>
      room.send(text, { reply: message.message_id }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`the manager's answer not sent: ${e.message}`))
      )
    const keysOf = (templates: Readonly<Record<string, string>>) =>
      Object.keys(templates).map((key) => `<code>${escapeHtml(key)}</code>`).join(", ")

    const reply = Effect.fn("TemplateReply.t")(function*(message: Message, room: ManagersRoom, key: string) {
      const concerning = yield* whom.of(message)
      if (Option.isNone(concerning)) {
        return yield* say(
          room,
          message,
          "Ответьте /t &lt;ключ&gt; на сообщение бота о человеке (или напишите в его теме)."
        )
      }
      if (concerning.value._tag === "Forgotten") return yield* say(room, message, "⛔ Этот контакт удалён.")
      const { leadId, telegramId } = concerning.value
      // The lead of the message replied to; in the person's topic, their latest.
      const about = Option.isSome(leadId) ? leadId : yield* followUps.latestLead(telegramId)
      const record = Option.isNone(about) ? Option.none() : yield* leads.get(about.value)
      const lead = Option.map(record, (r) => r.lead)
      const profile = Option.flatMap(lead, (l) => profiles.get(l.profile))
      if (Option.isNone(lead) || Option.isNone(profile)) {
        return yield* say(room, message, "У этого человека нет заявки.")
      }
      const { templates } = profile.value
      const template = Object.hasOwn(templates, key) ? Option.some(templates[key]!) : Option.none<string>()
      if (Option.isNone(template)) {
        const known = keysOf(templates)
        return yield* say(
          room,
          message,
          known === ""
            ? `У бренда ${escapeHtml(profile.value.name)} нет шаблонов.`
            : `Шаблоны ${escapeHtml(profile.value.name)}: ${known}. Ответьте <code>/t ключ</code>.`
        )
      }
      const html = fillPlaceholders(template.value, {
        name: escapeHtml(lead.value.contact.fullName.split(" ")[0] || ""),
        brand: escapeHtml(lead.value.brandName),
        service: escapeHtml(lead.value.title)
      })
      yield* atomically(relays.record({
        id: `${message.chat.id}:${message.message_id}`,
        adminChatId: message.chat.id,
        adminMessageId: message.message_id,
        telegramId: Option.some(telegramId),
        text: html,
        media: false,
        signature: relaySignature === "name" ? Option.fromNullable(message.from?.first_name) : Option.none(),
        manager: Option.map(Option.fromNullable(message.from), (from) => ({ id: from.id, name: takerName(from) })),
        html: Option.some(html),
        leadId: Option.map(lead, (l) => l.id),
        createdAt: yield* Clock.currentTimeMillis
      }))
      yield* deliveries.scheduleRelays(telegramId)
    })

    const routes = new Composer<InManagersChat>()
    routes.command("t", route("TemplateReply.t", (ctx) => reply(ctx.message!, ctx.room, ctx.match.trim())))
    return { routes } as const
  }),
  dependencies: [WhomItConcerns.Default]
}) {}
