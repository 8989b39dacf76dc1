import { Clock, Effect, Layer, Option } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { Deliveries } from "../lead/Deliveries.js"
import { fallbackChatOf } from "../lead/Lead.js"
import { ManagersRooms } from "../managers/room/ManagersRooms.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"

/**
 * At start-up, in the background: the fallbacks not entered yet whose message is in another chat than their brand's
 * (ADMIN_CHAT_ID_<PROFILE> changed since) are woken, so that delivery posts each whole, with its button, in the new
 * chat (once: the lead's lease makes it one process's, and a lead posted there is where it belongs).
 */
export const OpenLeadsRelocated = Layer.scopedDiscard(Effect.gen(function*() {
  const leads = yield* LeadStore
  const rooms = yield* ManagersRooms
  const deliveries = yield* Deliveries
  const { atomically } = yield* Transactor
  const { adminChatId } = yield* AppConfig
  const relocate = Effect.gen(function*() {
    const astray = (yield* leads.awaitingEntry).filter((record) =>
      Option.exists(
        record.outcome,
        (o) => o._tag === "Fallback" && fallbackChatOf(o, adminChatId) !== rooms.of(record.lead.profile).chat.id
      )
    )
    if (astray.length === 0) return
    const at = yield* Clock.currentTimeMillis
    for (const record of astray) {
      yield* atomically(leads.wake(record.lead.id, at))
      yield* deliveries.schedule(record.lead.id)
    }
    yield* Effect.logInfo(`${astray.length} open leads go to their brand's new managers' chat`)
  }).pipe(Effect.catchAll((e) => Effect.logWarning(`open leads not moved to their new chat yet: ${e.message}`)))
  yield* Effect.forkScoped(relocate)
})).pipe(Layer.provide(ManagersRooms.Default))
