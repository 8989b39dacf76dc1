import { Effect, Layer } from "effect"

import { Deliveries } from "../lead/Deliveries.js"
import { ErasureDelivery } from "../privacy/ErasureDelivery.js"
import { RelayDelivery } from "../relay/RelayDelivery.js"
import { Delivery } from "./Delivery.js"

/** The features' door to the delivery loops (each started where the app lists its loops). */
export const DeliveriesLive = Layer.effect(
  Deliveries,
  Effect.all([Delivery, RelayDelivery, ErasureDelivery]).pipe(
    Effect.map(([leads, relays, erasures]) =>
      Deliveries.of({ schedule: leads.schedule, scheduleRelays: relays.schedule, scheduleErasure: erasures.schedule })
    )
  )
)
