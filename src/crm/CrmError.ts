import { Data, Match } from "effect"

import type { CrmErrorKind } from "../metrics/metrics.js"

/** The CRM could not be reached: refused, DNS, reset before a response. */
export class CrmConnectionError extends Data.TaggedError("CrmConnectionError")<{ readonly detail: string }> {}

/** The CRM answered, but not with 200/201/202. */
export class CrmHttpStatusError extends Data.TaggedError("CrmHttpStatusError")<{
  readonly status: number
  readonly bodyExcerpt: string
}> {}

/** No complete answer within CRM_TIMEOUT_MS. */
export class CrmTimeoutError extends Data.TaggedError("CrmTimeoutError")<{ readonly timeoutMs: number }> {}

/** The request could not be made: no or invalid URL, TLS, encoding, other client-side failures. */
export class CrmClientError extends Data.TaggedError("CrmClientError")<{ readonly detail: string }> {}

/** Anything else; the cause is kept for the log. */
export class CrmUnknownError extends Data.TaggedError("CrmUnknownError")<{
  readonly detail: string
  readonly cause: unknown
}> {}

export type CrmError = CrmConnectionError | CrmHttpStatusError | CrmTimeoutError | CrmClientError | CrmUnknownError

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
