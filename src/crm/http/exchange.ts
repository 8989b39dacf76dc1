import type { HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect } from "effect"

import { AppConfig } from "../../config/AppConfig.js"
import { originAndPath } from "../../http/originAndPath.js"
import { CrmClientError, type CrmError, CrmTimeoutError, CrmUnknownError } from "../CrmError.js"
import { causeMessage, classifyTransport, redact } from "./classify.js"
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

const headerOf = (value: string | Array<string> | undefined) => (Array.isArray(value) ? value[0] : value)

/** The request's URL with its query, as undici takes it (an origin and a path). */
const urlOf = (request: HttpClientRequest.HttpClientRequest) => {
  const url = new URL(request.url)
  for (const [key, value] of request.urlParams) url.searchParams.append(key, value)
  return url
}

/**
 * One request to a CRM: in its origin's turn, within CRM_TIMEOUT_MS from the moment it starts (waiting for the
 * turn is not counted: a burst of leads waits in order, it does not time out), every failure one of the CrmErrors.
 * The requests are built with `@effect/platform`'s HttpClientRequest and sent on the shared undici pool in one
 * step (`dispatcher.request`): HttpClient's execute costs many runtime steps a lead (BENCHMARKS.md, issue 34).
 */
export const makeExchange = Effect.gen(function*() {
  const dispatcher = yield* NodeHttpClient.Dispatcher
  const { crmTimeoutMs } = yield* AppConfig

  const send = (request: HttpClientRequest.HttpClientRequest, options: ExchangeOptions) =>
    Effect.async<Answer, CrmError>((resume, signal) => {
      const { body } = request
      if (body._tag !== "Empty" && body._tag !== "Uint8Array") {
        return resume(Effect.fail(new CrmClientError({ detail: `cannot send a ${body._tag} body` })))
      }
      let url: URL
      try {
        url = urlOf(request)
      } catch (cause) {
        return resume(Effect.fail(classifyTransport(options.url, options.secrets)(cause)))
      }
      const content = body._tag === "Uint8Array"
        ? { "content-type": body.contentType, "content-length": String(body.body.length) }
        : {}
      dispatcher.request({
        ...originAndPath(url),
        method: request.method,
        headers: { ...request.headers, ...content },
        body: body._tag === "Uint8Array" ? body.body : null,
        signal
      }).then(
        (response) =>
          response.body.text().then(
            (text) =>
              resume(Effect.succeed({
                status: response.statusCode,
                body: text,
                retryAfterMillis: retryAfterOf(headerOf(response.headers["retry-after"]))
              })),
            (cause) =>
              resume(Effect.fail(
                new CrmUnknownError({
                  detail: `the answer could not be read: ${redact(causeMessage(cause), options.url, options.secrets)}`,
                  cause
                })
              ))
          ),
        (cause) => resume(Effect.fail(classifyTransport(options.url, options.secrets)(cause)))
      )
    })

  const once = (request: HttpClientRequest.HttpClientRequest, options: ExchangeOptions) =>
    send(request, options).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(crmTimeoutMs),
        onTimeout: () => new CrmTimeoutError({ timeoutMs: crmTimeoutMs })
      }),
      // Anything else (a throw where none was expected) is a CrmError too: the fallback takes every failure.
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
