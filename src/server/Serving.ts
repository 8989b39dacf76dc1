import { Clock, Duration, Effect, Layer, Option } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { Profiles } from "../profiles/Profiles.js"
import { LeadStore } from "../store/LeadStore.js"
import { StoreHealth } from "../store/StoreHealth.js"
import { Endpoints } from "./Endpoints.js"

/**
 * The last layer to start and the first to stop: once everything before it runs, readiness answers 200; the
 * moment shutdown begins (SIGTERM), 503, so a load balancer stops sending while in-flight work finishes. In
 * webhook mode the webhook route still takes requests for SHUTDOWN_DRAIN_SECONDS (what a load balancer sent before
 * it saw the 503 is recorded and handled as usual), then answers 503 (Telegram sends those again later); the rest
 * stops after that, and the HTTP server last.
 */
export const Serving = Layer.scopedDiscard(Effect.gen(function*() {
  const endpoints = yield* Endpoints
  const health = yield* StoreHealth
  const leads = yield* LeadStore
  const profiles = yield* Profiles
  const { shutdownDrainSeconds, webhook } = yield* AppConfig
  const drain = Option.isNone(webhook) || shutdownDrainSeconds === 0 ? Effect.void : Effect.logInfo(
    `stopping: webhook requests are still taken for ${shutdownDrainSeconds} s (SHUTDOWN_DRAIN_SECONDS)`
  ).pipe(Effect.zipRight(Effect.sleep(Duration.seconds(shutdownDrainSeconds))))
  const closeWebhook = Option.isNone(webhook) ? Effect.void : endpoints.closeWebhook.pipe(
    Effect.zipRight(Effect.logInfo("stopping: the webhook route answers 503 from now on"))
  )
  yield* endpoints.setStore({
    check: health.check,
    pending: Effect.all([leads.undelivered, leads.awaitingEntry, Clock.currentTimeMillis]).pipe(
      Effect.map(([pending, awaiting, now]) => ({
        count: pending.length,
        oldestSeconds: pending.length === 0 ? 0 : Math.max(0, now - pending[0]!.lead.createdAt) / 1000,
        awaitingCrm: profiles.all.map((p) => [p.key, awaiting.filter((r) => r.lead.profile === p.key).length] as const)
      }))
    )
  })
  yield* Effect.acquireRelease(
    endpoints.setPhase("ready").pipe(Effect.zipRight(Effect.logInfo("ready"))),
    () =>
      endpoints.setPhase("stopping").pipe(
        Effect.zipRight(Effect.logInfo("stopping: /readyz answers 503")),
        Effect.zipRight(drain),
        Effect.zipRight(closeWebhook)
      )
  )
}))
