import type { HttpClientError } from "@effect/platform"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpBodyError } from "@effect/platform/HttpBody"
import { Duration, Effect, Layer, Redacted } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { safeUrl } from "../http/safeUrl.js"
import { CrmClient } from "./CrmClient.js"
import {
  CrmClientError,
  CrmConnectionError,
  type CrmError,
  CrmHttpStatusError,
  CrmTimeoutError,
  CrmUnknownError
} from "./CrmError.js"
import type { CrmPayload } from "./CrmPayload.js"

const ACCEPTED = new Set([200, 201, 202])
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "ETIMEDOUT",
  // undici's own: the socket closed under the request, or the connection could not be made in time.
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** Removes the webhook URL, and its secret path on its own (a CRM may echo it back), from a text. */
const redact = (text: string, url: string): string => {
  let path = ""
  try {
    path = new URL(url).pathname
  } catch {
    path = ""
  }
  const withoutUrl = url === "" ? text : text.split(url).join(safeUrl(url))
  return path.length > 1 ? withoutUrl.split(path).join("/…") : withoutUrl
}

const errorCode = (cause: unknown): string | undefined => {
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

const causeMessage = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const classify = (url: string) => (error: HttpClientError.HttpClientError | HttpBodyError): CrmError => {
  const detail = (cause: unknown) => redact(causeMessage(cause), url)
  switch (error._tag) {
    case "RequestError": {
      if (error.reason !== "Transport") {
        return new CrmClientError({ detail: `${error.reason}: ${detail(error.cause ?? error.description)}` })
      }
      const code = errorCode(error.cause)
      return code !== undefined && CONNECTION_CODES.has(code)
        ? new CrmConnectionError({ detail: detail(error.cause) })
        : new CrmClientError({ detail: detail(error.cause ?? error.description) })
    }
    case "HttpBodyError":
      return new CrmClientError({ detail: `cannot encode the payload: ${detail(error)}` })
    case "ResponseError":
      return new CrmUnknownError({
        detail: `${error.reason}: ${detail(error.cause ?? error.description)}`,
        cause: error.cause
      })
  }
}

const excerpt = (body: string): string => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

export const makeCrmClient = Effect.gen(function*() {
  // No client span or trace headers: nothing collects traces, and the CRM has no use for ours.
  const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
  const { crmTimeoutMs } = yield* AppConfig

  const post = (url: string, payload: CrmPayload) =>
    Effect.gen(function*() {
      const request = yield* HttpClientRequest.post(url).pipe(
        HttpClientRequest.setHeader("Idempotency-Key", payload.lead_id),
        // The payload is typed and built by `crmPayload`: a schema encode on top would only add work per lead.
        HttpClientRequest.bodyJson(payload)
      )
      const response = yield* client.execute(request)
      const body = yield* response.text
      if (!ACCEPTED.has(response.status)) {
        return yield* new CrmHttpStatusError({ status: response.status, bodyExcerpt: excerpt(redact(body, url)) })
      }
    }).pipe(Effect.catchIf((e) => e._tag !== "CrmHttpStatusError", (e) => Effect.fail(classify(url)(e))))

  const send = Effect.fn("CrmClient.send")(function*(webhookUrl: Redacted.Redacted<string>, payload: CrmPayload) {
    const url = Redacted.value(webhookUrl)
    yield* Effect.annotateCurrentSpan("crm.url", safeUrl(url))
    return yield* post(url, payload).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(crmTimeoutMs),
        onTimeout: () => new CrmTimeoutError({ timeoutMs: crmTimeoutMs })
      }),
      Effect.catchAllDefect((defect) =>
        Effect.fail(new CrmUnknownError({ detail: redact(causeMessage(defect), url), cause: defect }))
      )
    )
  })

  return CrmClient.of({ send })
})

/** The live CRM client on `@effect/platform`'s HttpClient; needs an HttpClient (NodeHttpClient in production). */
export const CrmClientLive = Layer.effect(CrmClient, makeCrmClient)
