import { Effect, Either, Option, Redacted } from "effect"

import { StartupError } from "../../config/StartupError.js"
import { logLine } from "../CrmError.js"
import type { Bitrix24Target } from "../CrmTarget.js"
import type { Bitrix24 } from "./bitrix24Client.js"
import { AUTH_ERRORS, errorDetail, errorOf } from "./bitrixAnswers.js"

/**
 * At start, `crm.lead.fields` (which also proves the `crm` scope): a webhook Bitrix24 refuses, or a URL where no
 * webhook answers, stops start-up naming the variable; Bitrix24 down, slow or odd is a warning only.
 */
export const checkBitrix24 = (bitrix: Bitrix24, target: Bitrix24Target, brand: string) =>
  Effect.gen(function*() {
    const url = Redacted.value(target.url)
    const origin = new URL(url).origin
    const warn = (why: string) =>
      Effect.logWarning(
        `Bitrix24 of ${brand} (${origin}) did not answer as expected at start: ${why}; ` +
          `its leads are tried as they come`
      )
    const answer = yield* Effect.either(bitrix.call(target, "crm.lead.fields", {}))
    if (Either.isLeft(answer)) return yield* warn(logLine(answer.left))
    const { status } = answer.right
    const code = Option.getOrElse(Option.map(errorOf(answer.right), (e) => e.error), () => "")
    const why = `HTTP ${status}: ${errorDetail(answer.right, url)}`
    if (code === "insufficient_scope") {
      return yield* new StartupError({
        message: `${target.urlVariable}: Bitrix24 says the webhook lacks the crm scope (${why}): give it "CRM (crm)"`
      })
    }
    if (AUTH_ERRORS.has(code) || status === 401 || status === 403) {
      return yield* new StartupError({
        message: `${target.urlVariable}: Bitrix24 refuses the webhook (${why}): its code is wrong or was deleted`
      })
    }
    if (status === 404 || code === "ERROR_METHOD_NOT_FOUND") {
      return yield* new StartupError({
        message: `${target.urlVariable}: no Bitrix24 inbound webhook answers there (${why})`
      })
    }
    if (status !== 200 || code !== "") return yield* warn(why)
    yield* Effect.logInfo(`Bitrix24 of ${brand}: the webhook at ${origin} answers (crm scope)`)
  })
