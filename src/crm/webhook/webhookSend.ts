import { HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"

import { safeUrl } from "../../http/safeUrl.js"
import { CrmHttpStatusError } from "../CrmError.js"
import type { CrmPayload } from "../CrmPayload.js"
import { excerpt, redact } from "../http/classify.js"
import type { Exchange } from "../http/exchange.js"
import { unlimited } from "../http/OriginLimiter.js"

const ACCEPTED = new Set([200, 201, 202])

/**
 * A lead to a webhook: the payload as JSON, with `Idempotency-Key: <lead id>` (a CRM that honours it drops a
 * repeat). 200/201/202 is delivered; any other status a CrmHttpStatusError, with a short excerpt of the body.
 */
export const webhookSend = (exchange: Exchange) =>
  Effect.fn("CrmClient.send")(function*(webhookUrl: Redacted.Redacted<string>, payload: CrmPayload) {
    const url = Redacted.value(webhookUrl)
    yield* Effect.annotateCurrentSpan("crm.url", safeUrl(url))
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeader("Idempotency-Key", payload.lead_id),
      // The payload is typed and built by `crmPayload`: a schema encode on top would only add work per lead.
      HttpClientRequest.bodyUnsafeJson(payload)
    )
    const answer = yield* exchange(request, { url, limiter: unlimited })
    if (!ACCEPTED.has(answer.status)) {
      return yield* new CrmHttpStatusError({ status: answer.status, bodyExcerpt: excerpt(redact(answer.body, url)) })
    }
  })
