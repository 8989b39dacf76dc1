import { Duration, Effect, Layer, Option, Redacted } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { StartupError } from "../config/StartupError.js"
import { safeUrl } from "../http/safeUrl.js"
import { Endpoints } from "../server/Endpoints.js"
import { STARTUP_CALL_TIMEOUT, TelegramBot } from "../telegram/TelegramBot.js"
import { Intake } from "./Intake.js"
import { makeWebhookHandler } from "./webhookRequest.js"

/**
 * Webhook mode: Telegram POSTs each update to WEBHOOK_URL; the route (its path) records it in the inbox and
 * answers 200 at once, and the Intake handles it as polling's would be. The route is mounted before setWebhook,
 * so Telegram's first request finds it. The webhook stays set on shutdown: Telegram keeps the updates for the next
 * start (and for other replicas).
 */
export const Webhook = Layer.scopedDiscard(Effect.gen(function*() {
  const { webhook } = yield* AppConfig
  if (Option.isNone(webhook)) return yield* Effect.dieMessage("Webhook without WEBHOOK_URL")
  const { maxConnections, secret, url } = webhook.value
  const telegram = yield* TelegramBot
  const intake = yield* Intake
  const endpoints = yield* Endpoints
  const target = Redacted.value(url)

  yield* endpoints.mountWebhook({
    path: target.pathname,
    handle: makeWebhookHandler({
      secret,
      record: intake.record,
      accept: intake.submit
    })
  })
  yield* telegram.call("setWebhook", (api, signal) =>
    api.setWebhook(target.href, {
      secret_token: Redacted.value(secret),
      allowed_updates: ["message", "callback_query"],
      max_connections: maxConnections
      // never drop_pending_updates: those are people's taps
    }, signal)).pipe(
      Effect.timeout(Duration.toMillis(STARTUP_CALL_TIMEOUT)),
      Effect.mapError((e) =>
        new StartupError({
          message: `WEBHOOK_URL=${safeUrl(target.href)}: setWebhook failed: ${
            e._tag === "TelegramError" ? `${e.code ?? "network"} ${e.description}` : "no answer"
          }`
        })
      )
    )
  yield* Effect.logInfo(`webhook set: Telegram sends updates to ${safeUrl(target.href)}`)
}))

/** Webhook mode with the Intake it feeds (and so the funnel). */
export const WebhookLive = Webhook.pipe(Layer.provide(Intake.Default))
