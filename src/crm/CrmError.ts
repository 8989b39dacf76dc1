import { Data, Match } from "effect"

import type { CrmErrorKind } from "../metrics/metrics.js"

/** The CRM could not be reached: refused, DNS, reset before a response. */
export class CrmConnectionError extends Data.TaggedError("CrmConnectionError")<{
  readonly detail: string
  /** The transport's code (`ECONNREFUSED`, `ECONNRESET`…): whether the request may have been sent. */
  readonly code?: string
}> {}

/** The CRM answered, but not with 200/201/202. */
export class CrmHttpStatusError extends Data.TaggedError("CrmHttpStatusError")<{
  readonly status: number
  readonly bodyExcerpt: string
}> {}

/** No complete answer within CRM_TIMEOUT_MS. */
export class CrmTimeoutError extends Data.TaggedError("CrmTimeoutError")<{ readonly timeoutMs: number }> {}

/**
 * The request could not be made, or the CRM refused it as made: no or invalid URL, TLS, encoding, a field or token
 * the CRM refuses. `credentials`: it refused the token or webhook (it expired, it was revoked), which the operator
 * fixes without anything being wrong with the request itself.
 */
export class CrmClientError extends Data.TaggedError("CrmClientError")<{
  readonly detail: string
  readonly credentials?: boolean
}> {}

/** Anything else; the cause is kept for the log. */
export class CrmUnknownError extends Data.TaggedError("CrmUnknownError")<{
  readonly detail: string
  readonly cause: unknown
}> {}

export type CrmError = CrmConnectionError | CrmHttpStatusError | CrmTimeoutError | CrmClientError | CrmUnknownError

const CRM_ERROR_TAGS: ReadonlySet<string> = new Set([
  "CrmConnectionError",
  "CrmHttpStatusError",
  "CrmTimeoutError",
  "CrmClientError",
  "CrmUnknownError"
])

/** One of the five CRM errors (not, say, the store's failing meanwhile). */
export const isCrmError = (e: { readonly _tag: string }): e is CrmError => CRM_ERROR_TAGS.has(e._tag)

/** The log line for a failed delivery, worded per error type. Never contains a webhook path. */
export const logLine: (error: CrmError) => string = Match.type<CrmError>().pipe(
  Match.tagsExhaustive({
    CrmConnectionError: (e) => `CRM unreachable (connection error): ${e.detail}`,
    CrmHttpStatusError: (e) => `CRM answered HTTP ${e.status}: ${e.bodyExcerpt || "(empty body)"}`,
    CrmTimeoutError: (e) => `CRM timed out after ${e.timeoutMs} ms`,
    CrmClientError: (e) => `CRM request failed (client error): ${e.detail}`,
    CrmUnknownError: (e) => `CRM delivery failed unexpectedly: ${e.detail}`
  })
)

/** The `kind` label of `leadbot_crm_errors_total`. */
export const metricKind: (error: CrmError) => CrmErrorKind = Match
  .type<CrmError>().pipe(
    Match.tagsExhaustive({
      CrmConnectionError: () => "connection" as const,
      CrmHttpStatusError: () => "http_status" as const,
      CrmTimeoutError: () => "timeout" as const,
      CrmClientError: () => "client" as const,
      CrmUnknownError: () => "unknown" as const
    })
  )

/** Transport codes that mean nothing was sent: no connection was made. */
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT"
])

/**
 * Whether the CRM may have the lead although the call failed (ambiguous): no answer in time, a connection that broke
 * after the request may have been sent, a 5xx (but 503, which says it was not processed), an answer that could not be
 * read. Then, before sending the lead again, ask the CRM whether it has it (`Crm.findExisting`). Refusals (a 4xx, a
 * 429, a connection never made, a request that could not be built) are not: the CRM has nothing.
 */
export const mayHaveReachedCrm: (error: CrmError) => boolean = Match.type<CrmError>().pipe(
  Match.tagsExhaustive({
    CrmConnectionError: (e) => e.code === undefined || !NEVER_SENT.has(e.code),
    CrmHttpStatusError: (e) => e.status >= 500 && e.status !== 503,
    CrmTimeoutError: () => true,
    CrmClientError: () => false,
    CrmUnknownError: () => true
  })
)

/**
 * The CRM may have taken the lead but its answer was lost: no answer in time, or a connection that broke once the
 * request may have been sent (a 5xx is an answer: the CRM said it failed, however it may have ended).
 */
export const answerLost = (error: CrmError): boolean =>
  error._tag === "CrmTimeoutError" || (error._tag === "CrmConnectionError" && mayHaveReachedCrm(error))
