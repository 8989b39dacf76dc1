import { createHash, timingSafeEqual } from "node:crypto"

import { HttpIncomingMessage, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Metric, Option, Redacted, Schema } from "effect"
import type { Update } from "grammy/types"

import { labelled, type RejectReason, updatesReceived, webhookRejected } from "../metrics/metrics.js"
import type { StoreError } from "../store/StoreError.js"
import { UpdateJson } from "../telegram/UpdateJson.js"

/** Telegram's header with the secret given to setWebhook. */
export const SECRET_HEADER = "x-telegram-bot-api-secret-token"
/** An update is small; anything this large is not one. */
export const MAX_BODY_BYTES = 1024 * 1024
const REJECTION_LOG_EVERY_MS = 60_000

const decodeUpdate = Schema.decodeUnknownEither(UpdateJson)

const digest = (value: string) => createHash("sha256").update(value).digest()

const reply = (status: number, body: string) => HttpServerResponse.text(`${body}\n`, { status })
const rejectedFor = labelled(webhookRejected, "reason")
const rejected = (reason: RejectReason) => Metric.increment(rejectedFor(reason))
const receivedByWebhook = Metric.tagged(updatesReceived, "source", "webhook")

/**
 * Handles one POST from Telegram: the secret checked in constant time, the body read up to 1 MB and decoded, the
 * update recorded in the inbox, and then, and only then, 200. What cannot be recorded is answered 500, so Telegram
 * sends it again. `accept` hands the recorded update on for handling, without waiting for it.
 */
export const makeWebhookHandler = (options: {
  readonly secret: Redacted.Redacted<string>
  /** Records the update in the inbox, returning it if it is still to handle. */
  readonly record: (updates: ReadonlyArray<Update>) => Effect.Effect<ReadonlyArray<Update>, StoreError>
  readonly accept: (updates: ReadonlyArray<Update>, arrivedAt: number) => Effect.Effect<void>
}) => {
  const expected = digest(Redacted.value(options.secret))
  // Wrong secrets are logged at most once a minute, with how many came since: a scan must not flood the log.
  let lastLoggedAt = -Infinity
  let unlogged = 0
  const secretRejected = (remote: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      unlogged++
      if (now - lastLoggedAt < REJECTION_LOG_EVERY_MS) return Effect.void
      const count = unlogged
      lastLoggedAt = now
      unlogged = 0
      return Effect.logWarning(
        `webhook: ${count} request(s) with a missing or wrong secret refused (401), the latest from ${remote}`
      )
    })

  return (request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function*() {
      const arrivedAt = yield* Clock.currentTimeMillis
      const given = request.headers[SECRET_HEADER]
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        yield* rejected("secret")
        yield* secretRejected(Option.getOrElse(request.remoteAddress, () => "an unknown address"))
        return reply(401, "unauthorized")
      }
      if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
        yield* rejected("too_large")
        return reply(413, "too large")
      }
      const body = yield* request.text.pipe(Effect.either)
      if (Either.isLeft(body)) {
        const tooLarge = String(body.left.cause).includes("maxBytes")
        yield* rejected(tooLarge ? "too_large" : "malformed")
        return reply(tooLarge ? 413 : 400, tooLarge ? "too large" : "unreadable body")
      }
      const decoded = decodeUpdate(body.right)
      if (Either.isLeft(decoded)) {
        yield* rejected("malformed")
        return reply(400, "not an update: JSON with an integer update_id expected")
      }
      yield* Metric.increment(receivedByWebhook)
      const update = decoded.right
      return yield* options.record([update]).pipe(
        Effect.flatMap((fresh) => options.accept(fresh, arrivedAt)),
        Effect.as(reply(200, "ok")),
        Effect.catchTag("StoreError", (e) =>
          Effect.logError(
            `webhook: update ${update.update_id} not recorded (${e.operation}): 500, Telegram resends`,
            e.cause
          )
            .pipe(Effect.as(reply(500, "not recorded, send it again"))))
      )
    }).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(MAX_BODY_BYTES)))
}
