import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Ref } from "effect"

/** Where the process is: readiness answers 200 only when `ready` (and the store answers). */
export type Phase = "starting" | "ready" | "stopping"

/** The webhook route, mounted once the intake behind it runs. */
export interface WebhookRoute {
  readonly path: string
  readonly handle: (
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse>
}

/** What the probes and the pending gauges read, once the store is open. */
export interface StoreProbes {
  readonly check: Effect.Effect<void, unknown>
  /**
   * Leads that have reached no human, and the age in seconds of the oldest (0 when none); fallback leads not in their
   * CRM yet and not entered by hand, for each brand.
   */
  readonly pending: Effect.Effect<{
    readonly count: number
    readonly oldestSeconds: number
    readonly awaitingCrm: ReadonlyArray<readonly [brand: string, count: number]>
  }, unknown>
}

/**
 * What the HTTP server serves, filled in as the bot starts: the server itself starts first (so /healthz answers
 * and /readyz says 503 while starting), the parts behind its routes later.
 */
export class Endpoints extends Effect.Service<Endpoints>()("Endpoints", {
  effect: Effect.gen(function*() {
    const phase = yield* Ref.make<Phase>("starting")
    const webhook = yield* Ref.make(Option.none<WebhookRoute>())
    const store = yield* Ref.make(Option.none<StoreProbes>())
    const webhookOpen = yield* Ref.make(true)
    return {
      phase: Ref.get(phase),
      setPhase: (next: Phase) => Ref.set(phase, next),
      webhook: Ref.get(webhook),
      mountWebhook: (route: WebhookRoute) => Ref.set(webhook, Option.some(route)),
      /** The webhook route takes requests (until shutdown's drain is over). */
      webhookOpen: Ref.get(webhookOpen),
      closeWebhook: Ref.set(webhookOpen, false),
      store: Ref.get(store),
      setStore: (probes: StoreProbes) => Ref.set(store, Option.some(probes))
    } as const
  })
}) {}
