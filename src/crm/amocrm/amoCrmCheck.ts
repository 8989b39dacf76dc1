import { Effect, Either, Option } from "effect"

import { StartupError } from "../../config/StartupError.js"
import { logLine } from "../CrmError.js"
import type { AmoCrmTarget } from "../CrmTarget.js"
import { AccountAnswer, decodeAnswer, problemDetail } from "./amoAnswers.js"
import type { AmoCrm } from "./amoCrmClient.js"

const pipelineVariable = (target: AmoCrmTarget) => target.tokenVariable.replace(/^AMOCRM_TOKEN/, "AMOCRM_PIPELINE_ID")

/**
 * At start, `GET /api/v4/account` (and the pipeline, when one is set): a token amoCRM refuses (401/403), an address
 * where no account answers (404) or a pipeline it does not have stop start-up naming the variable; amoCRM down,
 * slow or odd is a warning only.
 */
export const checkAmoCrm = (amo: AmoCrm, target: AmoCrmTarget, brand: string) =>
  Effect.gen(function*() {
    const warn = (why: string) =>
      Effect.logWarning(
        `amoCRM of ${brand} (${target.url}) did not answer as expected at start: ${why}; ` +
          `its leads are tried as they come`
      )
    const answer = yield* Effect.either(amo.call(target, "GET", "/api/v4/account"))
    if (Either.isLeft(answer)) return yield* warn(logLine(answer.left))
    const { status } = answer.right
    const why = `HTTP ${status}: ${problemDetail(answer.right)}`
    if (status === 401) {
      return yield* new StartupError({
        message: `${target.tokenVariable}: amoCRM says the token is invalid or expired (${why})`
      })
    }
    if (status === 403) {
      return yield* new StartupError({
        message: `${target.tokenVariable}: amoCRM refuses this token (${why}): the integration lacks the rights, ` +
          `or the account does not let this address in`
      })
    }
    if (status === 404) {
      return yield* new StartupError({
        message: `${target.urlVariable}: no amoCRM account answers at ${target.url} (${why})`
      })
    }
    if (status !== 200) return yield* warn(why)
    const account = decodeAnswer(AccountAnswer, answer.right)
    if (Either.isLeft(account)) return yield* warn(logLine(account.left))
    yield* Effect.logInfo(`amoCRM of ${brand}: account "${account.right.name}" (${account.right.subdomain})`)
    if (Option.isNone(target.pipelineId)) return
    const id = target.pipelineId.value
    const pipeline = yield* Effect.either(amo.call(target, "GET", `/api/v4/leads/pipelines/${id}`))
    if (Either.isLeft(pipeline)) return yield* warn(logLine(pipeline.left))
    if (pipeline.right.status === 404 || pipeline.right.status === 204) {
      return yield* new StartupError({ message: `${pipelineVariable(target)}: amoCRM has no pipeline ${id}` })
    }
    if (pipeline.right.status !== 200) return yield* warn(`pipeline ${id}: HTTP ${pipeline.right.status}`)
  })
