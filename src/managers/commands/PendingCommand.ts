import { Clock, Effect } from "effect"
import { Composer } from "grammy"

import { AppConfig } from "../../config/AppConfig.js"
import type { LeadRecord } from "../../lead/Lead.js"
import { LeadStore } from "../../store/LeadStore.js"
import { route } from "../../telegram/routes.js"
import { ManagersChats } from "../ManagersChats.js"
import type { InManagersChat } from "../room/inManagersChat.js"
import type { ManagersRoom } from "../room/ManagersRoom.js"
import { CommandAnswers } from "./CommandAnswers.js"
import { pendingReportHtml } from "./pendingReport.js"

/**
 * `/pending` in a managers' chat: what waits for the managers of its brands (leads that reached no human, fallback
 * leads not entered yet); answered when the chat recovers, if it fails.
 */
export class PendingCommand extends Effect.Service<PendingCommand>()("PendingCommand", {
  effect: Effect.gen(function*() {
    const leads = yield* LeadStore
    const chats = yield* ManagersChats
    const answers = yield* CommandAnswers
    const { adminChatId, adminTimeZone } = yield* AppConfig

    /** A lead is its brand's managers' (a lead of a brand no longer in locales.json: ADMIN_CHAT_ID's). */
    const report = (room: ManagersRoom) =>
      Effect.gen(function*() {
        const theirs = (records: ReadonlyArray<LeadRecord>) =>
          records.filter((r) => chats.of(r.lead.profile).id === room.chat.id)
        const undelivered = theirs(yield* leads.undelivered)
        const awaiting = theirs(yield* leads.awaitingEntry)
        const now = yield* Clock.currentTimeMillis
        return pendingReportHtml(undelivered, awaiting, { adminChatId, now, timeZone: adminTimeZone })
      })

    const pending = Effect.fn("PendingCommand.pending")(function*(room: ManagersRoom) {
      yield* answers.answer("/pending", room, [report(room).pipe(Effect.flatMap((html) => room.send(html)))])
    })

    const routes = new Composer<InManagersChat>()
    routes.command("pending", route("PendingCommand.pending", (ctx) => pending(ctx.room)))
    return { routes } as const
  }),
  dependencies: [CommandAnswers.Default]
}) {}
