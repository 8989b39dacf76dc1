import { Clock, Effect, Layer } from "effect"

import { LeadStore } from "../store/LeadStore.js"
import { StoreHealth } from "../store/StoreHealth.js"
import { Endpoints } from "./Endpoints.js"

/**
 * The last layer to start and the first to stop: once everything before it runs, readiness answers 200; the
 * moment shutdown begins (SIGTERM), 503, so a load balancer stops sending while in-flight work finishes.
 */
export const Serving = Layer.scopedDiscard(Effect.gen(function*() {
  const endpoints = yield* Endpoints
  const health = yield* StoreHealth
  const leads = yield* LeadStore
  yield* endpoints.setStore({
    check: health.check,
    pending: Effect.all([leads.undelivered, Clock.currentTimeMillis]).pipe(
      Effect.map(([pending, now]) => ({
        count: pending.length,
        oldestSeconds: pending.length === 0 ? 0 : Math.max(0, now - pending[0]!.lead.createdAt) / 1000
      }))
    )
  })
  yield* Effect.acquireRelease(
    endpoints.setPhase("ready").pipe(Effect.zipRight(Effect.logInfo("ready"))),
    () => endpoints.setPhase("stopping").pipe(Effect.zipRight(Effect.logInfo("stopping: /readyz answers 503")))
  )
}))
