import { HttpClient, type HttpClientRequest } from "@effect/platform"
import { Duration, Effect } from "effect"

import { AppConfig } from "../../config/AppConfig.js"
import { type CrmError, CrmTimeoutError, CrmUnknownError } from "../CrmError.js"
import { causeMessage, classify, redact } from "./classify.js"
import type { Limiter } from "./OriginLimiter.js"

/** A CRM's answer, whatever its status: each client reads it in its CRM's terms. */
export interface Answer {
  readonly status: number
  readonly body: string
  /** `Retry-After` in milliseconds, when the CRM sent one. */
  readonly retryAfterMillis: number | undefined
}

export interface ExchangeOptions {
  /** The URL whose secret path, and the secrets (a token), never reach an error's detail. */
  readonly url: string
  readonly secrets?: ReadonlyArray<string>
  /** The budget of the CRM's origin. */
  readonly limiter: Limiter
  /** The CRM said "too many requests" (the request was not processed): pause the origin and ask again. */
  readonly tooMany?: (answer: Answer) => boolean
}

/** A refusal for too many requests pauses the origin at least this long, then the request is asked again. */
export const TOO_MANY_PAUSE_MILLIS = 1_000
/** How often a request refused for too many is asked again before its refusal is the answer. */
const TOO_MANY_RETRIES = 3

const retryAfterOf = (header: string | undefined): number | undefined => {
  const seconds = header === undefined ? NaN : Number(header)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

/**
 * One request to a CRM: in its origin's turn, within CRM_TIMEOUT_MS from the moment it starts (waiting for the
 * turn is not counted: a burst of leads waits in order, it does not time out), every failure one of the CrmErrors.
 */
export const makeExchange = Effect.gen(function*() {
  // No client span or trace headers: nothing collects traces, and the CRM has no use for ours.
  const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
  const { crmTimeoutMs } = yield* AppConfig

  const once = (request: HttpClientRequest.HttpClientRequest, options: ExchangeOptions) =>
    client.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.text, (body): Answer => ({
          status: response.status,
          body,
          retryAfterMillis: retryAfterOf(response.headers["retry-after"])
        }))
      ),
      Effect.mapError(classify(options.url, options.secrets)),
      Effect.timeoutFail({
        duration: Duration.millis(crmTimeoutMs),
        onTimeout: () => new CrmTimeoutError({ timeoutMs: crmTimeoutMs })
      }),
      Effect.catchAllDefect((defect) =>
        Effect.fail(
          new CrmUnknownError({ detail: redact(causeMessage(defect), options.url, options.secrets), cause: defect })
        )
      ),
      options.limiter.run
    )

  return (request: HttpClientRequest.HttpClientRequest, options: ExchangeOptions): Effect.Effect<Answer, CrmError> => {
    const attempt = (left: number): Effect.Effect<Answer, CrmError> =>
      Effect.flatMap(once(request, options), (answer) =>
        options.tooMany?.(answer) === true && left > 0
          ? options.limiter.pause(Math.max(TOO_MANY_PAUSE_MILLIS, answer.retryAfterMillis ?? 0)).pipe(
            Effect.zipRight(Effect.suspend(() => attempt(left - 1)))
          )
          : Effect.succeed(answer))
    return attempt(TOO_MANY_RETRIES)
  }
})

export type Exchange = Effect.Effect.Success<typeof makeExchange>
