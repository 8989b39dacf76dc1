import { Clock, Effect, Option } from "effect"
import { Composer } from "grammy"
import type { Message } from "grammy/types"

import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import type { InManagersChat } from "../managers/room/inManagersChat.js"
import type { ManagersRoom } from "../managers/room/ManagersRoom.js"
import { takerName } from "../managers/views/render.js"
import { Relays } from "../store/Relays.js"
import { Transactor } from "../store/Transactor.js"
import { route } from "../telegram/routes.js"
import { WhomItConcerns } from "./WhomItConcerns.js"

/**
 * A manager's message in their chat about a person (a reply to one of the bot's messages about them, or, in a forum,
 * anything written in their topic): recorded as a relay (once, however often its update is handled), then sent by
 * relay delivery. Commands, bots' messages and messages about nobody are not relayed, and nothing is said; one about
 * a person whose data was deleted is answered, once, that the contact is gone.
 */
export class RelayRoutes extends Effect.Service<RelayRoutes>()("RelayRoutes", {
  effect: Effect.gen(function*() {
    const whom = yield* WhomItConcerns
    const relays = yield* Relays
    const deliveries = yield* Deliveries
    const { atomically } = yield* Transactor
    const { relaySignature } = yield* AppConfig

    const relay = Effect.fn("RelayRoutes.relay")(function*(message: Message, room: ManagersRoom) {
      const text = message.text ?? message.caption ?? ""
      if (message.from?.is_bot || text.startsWith("/")) return
      const concerning = yield* whom.of(message)
      if (Option.isNone(concerning)) return
      const about = concerning.value
      const person = about._tag === "Person" ? Option.some(about.telegramId) : Option.none()
      const id = `${message.chat.id}:${message.message_id}`
      const recorded = yield* atomically(relays.record({
        id,
        adminChatId: message.chat.id,
        adminMessageId: message.message_id,
        telegramId: person,
        text,
        media: message.text === undefined,
        signature: relaySignature === "name" ? Option.fromNullable(message.from?.first_name) : Option.none(),
        manager: Option.map(Option.fromNullable(message.from), (from) => ({ id: from.id, name: takerName(from) })),
        html: Option.none(),
        leadId: about._tag === "Person" ? about.leadId : Option.none(),
        createdAt: yield* Clock.currentTimeMillis
      }))
      if (Option.isSome(person)) return yield* deliveries.scheduleRelays(person.value)
      if (!recorded) return
      yield* atomically(relays.settle(id, "refused"))
      yield* room.send("⛔ Этот контакт удалён.", { reply: message.message_id }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`the manager's notice not sent: ${e.message}`))
      )
    })

    /** Within a managers' chat: any message that no command took. */
    const routes = new Composer<InManagersChat>()
    routes.on("message", route("RelayRoutes.relay", (ctx) => relay(ctx.message, ctx.room)))
    return { routes } as const
  }),
  dependencies: [WhomItConcerns.Default]
}) {}
