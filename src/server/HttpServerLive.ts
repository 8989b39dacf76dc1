import { createServer } from "node:http"
import { monitorEventLoopDelay } from "node:perf_hooks"

import { HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Metric, Option } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { StartupError } from "../config/StartupError.js"
import {
  eventLoopLagSeconds,
  leadsAwaitingCrm,
  leadsPending,
  oldestPendingLeadSeconds,
  residentMemoryBytes
} from "../metrics/metrics.js"
import { prometheusText } from "../metrics/prometheus.js"
import { Endpoints } from "./Endpoints.js"

const text = (body: string, status = 200) => HttpServerResponse.text(body, { status })

/**
 * The HTTP server on PORT (both modes): liveness, readiness, metrics, and the webhook route in webhook mode.
 * Four routes, so a `switch` over the path says it all.
 */
const app = Effect.gen(function*() {
  const endpoints = yield* Endpoints
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  yield* Effect.addFinalizer(() => Effect.sync(() => lag.disable()))

  // Liveness: the process serves requests. No store or Telegram check: their outage must not restart replicas.
  const healthz = Effect.succeed(text("ok\n"))

  const readyz = Effect.gen(function*() {
    const phase = yield* endpoints.phase
    if (phase !== "ready") return text(`${phase}\n`, 503)
    const store = yield* endpoints.store
    if (Option.isNone(store)) return text("starting\n", 503)
    return yield* store.value.check.pipe(
      Effect.as(text("ready\n")),
      Effect.catchAll(() => Effect.succeed(text("the store does not answer\n", 503)))
    )
  })

  const metrics = Effect.gen(function*() {
    const store = yield* endpoints.store
    if (Option.isSome(store)) {
      yield* store.value.pending.pipe(
        Effect.flatMap(({ awaitingCrm, count, oldestSeconds }) =>
          Effect.all([
            Metric.set(leadsPending, count),
            Metric.set(oldestPendingLeadSeconds, oldestSeconds),
            ...awaitingCrm.map(([brand, n]) => Metric.set(Metric.tagged(leadsAwaitingCrm, "brand", brand), n))
          ])
        ),
        Effect.catchAll(() => Effect.logWarning("/metrics: the store did not answer; the pending gauges are stale"))
      )
    }
    yield* Metric.set(residentMemoryBytes, process.memoryUsage().rss)
    yield* Metric.set(eventLoopLagSeconds, Number.isNaN(lag.mean) ? 0 : lag.mean / 1e9)
    lag.reset()
    const body = prometheusText(yield* Metric.snapshot)
    return HttpServerResponse.text(body, { contentType: "text/plain; version=0.0.4; charset=utf-8" })
  })

  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = new URL(request.url, "http://server").pathname
    const webhook = yield* endpoints.webhook
    if (Option.isSome(webhook) && path === webhook.value.path) {
      if (request.method !== "POST") return text("method not allowed\n", 405)
      // After shutdown's drain: Telegram keeps the update and sends it again (to the next start, or a replica).
      if (!(yield* endpoints.webhookOpen)) return text("stopping\n", 503)
      return yield* webhook.value.handle(request)
    }
    const get = (response: Effect.Effect<HttpServerResponse.HttpServerResponse>) =>
      request.method === "GET" || request.method === "HEAD"
        ? response
        : Effect.succeed(text("method not allowed\n", 405))
    switch (path) {
      case "/healthz":
        return yield* get(healthz)
      case "/readyz":
        return yield* get(readyz)
      case "/metrics":
        return yield* get(metrics)
      default:
        return text("not found\n", 404)
    }
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logError("an HTTP request failed", cause).pipe(Effect.as(text("internal error\n", 500)))
    )
  )
})

/**
 * Serves on HOST:PORT; an address that cannot be had stops start-up with one line naming the variable at fault:
 * HOST when it is no address of this machine (or no name at all), PORT otherwise.
 */
export const HttpServerLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ host, port }) =>
    Layer.scopedDiscard(Effect.gen(function*() {
      const handler = yield* app
      yield* HttpServer.serveEffect(handler)
      const address = yield* HttpServer.addressFormattedWith((formatted) => Effect.succeed(formatted))
      yield* Effect.logInfo(`HTTP on ${address} (/healthz, /readyz, /metrics)`)
    })).pipe(
      Layer.provide(NodeHttpServer.layer(createServer, { port, host })),
      Layer.catchAll((error) =>
        Layer.fail(
          error instanceof StartupError
            ? error
            : new StartupError({
              message: `${atFault(error) === "HOST" ? `HOST=${host}` : `PORT=${port}`}: cannot serve HTTP on ` +
                `${host}:${port}: ${describe(error)}`
            })
        )
      )
    ))
)

const codeOf = (error: unknown): unknown =>
  ((error as { cause?: unknown }).cause as { code?: unknown } | undefined)?.code

/** Errors of the host part: a name that does not resolve, an address that is not this machine's. */
const HOST_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EADDRNOTAVAIL"])
const atFault = (error: unknown): "HOST" | "PORT" => (HOST_CODES.has(String(codeOf(error))) ? "HOST" : "PORT")

const describe = (error: unknown): string => {
  const cause = (error as { cause?: unknown }).cause
  const code = codeOf(error)
  if (code === "EADDRINUSE") return "the address is in use (another process listens there)"
  if (code === "EACCES") return "permission denied (a port below 1024 needs privileges)"
  return cause instanceof Error ? cause.message : String(error)
}
