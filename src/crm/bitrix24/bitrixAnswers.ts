import { Either, Option, ParseResult, Schema } from "effect"

import { CrmClientError, type CrmError, CrmHttpStatusError, CrmUnknownError } from "../CrmError.js"
import { excerpt, redact } from "../http/classify.js"
import type { Answer } from "../http/exchange.js"

/** Bitrix24's answers (REST): `{"result": …, "time": …}`, or `{"error", "error_description"}`. */

/** A lead's id, as `crm.lead.add` returns it (a number; a string in older portals). */
const Id = Schema.Union(Schema.Number, Schema.NumberFromString)

export const AddAnswer = Schema.Struct({ result: Id })
export const ListAnswer = Schema.Struct({ result: Schema.Array(Schema.Struct({ ID: Id })) })
export const GetAnswer = Schema.Struct({
  result: Schema.Struct({ PHONE: Schema.optional(Schema.Array(Schema.Struct({ VALUE: Schema.String }))) })
})
export const FieldsAnswer = Schema.Struct({ result: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
/** `crm.timeline.comment.add`, `crm.lead.update`: anything in `result` (an id, `true`). */
export const DoneAnswer = Schema.Struct({ result: Schema.Unknown })

const ErrorBody = Schema.Struct({ error: Schema.String, error_description: Schema.optional(Schema.String) })
const decodeError = Schema.decodeUnknownOption(Schema.parseJson(ErrorBody))

/** The portal is busy: too many requests (503), not processed; the portal's budget waits and it is asked again. */
export const QUERY_LIMIT_EXCEEDED = "QUERY_LIMIT_EXCEEDED"

/** The webhook is refused: its code is wrong or gone, or it lacks the `crm` scope, or its user the rights. */
export const AUTH_ERRORS = new Set([
  "expired_token",
  "invalid_token",
  "INVALID_CREDENTIALS",
  "insufficient_scope",
  "NO_AUTH_FOUND",
  "ACCESS_DENIED",
  "user_access_error",
  "WRONG_AUTH_TYPE"
])

/** The error's code as Bitrix24 spelled it (may be empty: then only its description says why). */
export const errorOf = (answer: Answer): Option.Option<typeof ErrorBody.Type> => decodeError(answer.body)

/** Bitrix24 said "too many requests". */
export const isQueryLimit = (answer: Answer): boolean =>
  Option.exists(errorOf(answer), (e) => e.error === QUERY_LIMIT_EXCEEDED)

/** `CODE: description`, never the webhook's secret path. */
export const errorDetail = (answer: Answer, url: string): string =>
  redact(
    Option.match(errorOf(answer), {
      onNone: () => excerpt(answer.body) || "(empty body)",
      onSome: (e) => excerpt(`${e.error || "(no code)"}: ${e.error_description ?? ""}`.trim())
    }),
    url
  )

/**
 * An answer that is an error, as a CrmError: a refused webhook or request (auth errors, 4xx) is a client error, an
 * operator's to fix; QUERY_LIMIT_EXCEEDED and 5xx the portal's trouble (retried later).
 */
export const refusal = (answer: Answer, url: string): CrmError => {
  const code = Option.getOrElse(Option.map(errorOf(answer), (e) => e.error), () => "")
  const detail = errorDetail(answer, url)
  if (AUTH_ERRORS.has(code)) {
    return new CrmClientError({ detail: `Bitrix24 refused the webhook: ${detail}`, credentials: true })
  }
  if (code !== QUERY_LIMIT_EXCEEDED && answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
    return new CrmClientError({ detail: `Bitrix24 answered HTTP ${answer.status}: ${detail}` })
  }
  return new CrmHttpStatusError({ status: answer.status, bodyExcerpt: detail })
}

/** A success as `schema` reads it (an error body, whatever its status, is a refusal); unreadable: unknown. */
export const decodeResult = <A, I>(
  schema: Schema.Schema<A, I>,
  answer: Answer,
  url: string
): Either.Either<A, CrmError> => {
  if (answer.status < 200 || answer.status >= 300 || Option.isSome(errorOf(answer))) {
    return Either.left(refusal(answer, url))
  }
  return Schema.decodeUnknownEither(Schema.parseJson(schema))(answer.body).pipe(
    Either.mapLeft((error) =>
      new CrmUnknownError({
        detail: `Bitrix24's answer (HTTP ${answer.status}) is not what was expected: ${
          ParseResult.TreeFormatter.formatErrorSync(error).split("\n")[0]
        }`,
        cause: error
      })
    )
  )
}
