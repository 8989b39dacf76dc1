import { Either, Option, ParseResult, Schema } from "effect"

import { CrmClientError, type CrmError, CrmHttpStatusError, CrmUnknownError } from "../CrmError.js"
import { excerpt } from "../http/classify.js"
import type { Answer } from "../http/exchange.js"

/** amoCRM's answers (API v4), decoded: what the client reads of them, nothing more. */

/** `POST /api/v4/leads/complex`: one entry a lead, its id and its contact's. */
export const ComplexAnswer = Schema.NonEmptyArray(
  Schema.Struct({ id: Schema.Number, contact_id: Schema.NullishOr(Schema.Number) })
)

/** `GET /api/v4/leads?query=…&with=contacts`: the leads found, each with its contacts. */
export const LeadsAnswer = Schema.Struct({
  _embedded: Schema.Struct({
    leads: Schema.Array(Schema.Struct({
      id: Schema.Number,
      name: Schema.String,
      _embedded: Schema.optional(Schema.Struct({
        contacts: Schema.optional(
          Schema.Array(Schema.Struct({ id: Schema.Number, is_main: Schema.optional(Schema.Boolean) }))
        )
      }))
    }))
  })
})

/** `GET /api/v4/contacts/{id}`: its fields, of which the phones are read. */
export const ContactAnswer = Schema.Struct({
  id: Schema.Number,
  custom_fields_values: Schema.NullishOr(Schema.Array(Schema.Struct({
    field_code: Schema.NullishOr(Schema.String),
    values: Schema.Array(Schema.Struct({ value: Schema.Unknown }))
  })))
})

/** `GET /api/v4/account`: who the token belongs to. */
export const AccountAnswer = Schema.Struct({ id: Schema.Number, name: Schema.String, subdomain: Schema.String })

/** amoCRM's errors, `application/problem+json`, with `validation-errors` on a 400. */
const Problem = Schema.Struct({
  title: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  "validation-errors": Schema.optional(Schema.Array(Schema.Struct({
    errors: Schema.Array(Schema.Struct({
      code: Schema.optional(Schema.String),
      path: Schema.optional(Schema.String),
      detail: Schema.optional(Schema.String)
    }))
  })))
})

const decodeProblem = Schema.decodeUnknownOption(Schema.parseJson(Problem))

/** The reason, spelled out: `Request validation failed: custom_fields_values.0.field_id: … (NotSupportedChoice)`. */
export const problemDetail = (answer: Answer): string =>
  Option.match(decodeProblem(answer.body), {
    onNone: () => excerpt(answer.body) || "(empty body)",
    onSome: (problem) => {
      const fields = (problem["validation-errors"] ?? []).flatMap((group) =>
        group.errors.map((e) =>
          `${e.path ?? "?"}: ${e.detail ?? "invalid"}${e.code === undefined ? "" : ` (${e.code})`}`
        )
      )
      const head = problem.detail ?? problem.title ?? "(no detail)"
      return excerpt(fields.length === 0 ? head : `${head}: ${fields.join("; ")}`)
    }
  })

/**
 * A status that is no success, as a CrmError: 400-499 (but 429) are refusals of this request (an operator's error:
 * a wrong field, token or pipeline), 429 and 5xx the CRM's trouble (retried later).
 */
export const refusal = (answer: Answer): CrmError =>
  answer.status >= 400 && answer.status < 500 && answer.status !== 429
    ? new CrmClientError({
      detail: `amoCRM answered HTTP ${answer.status}: ${problemDetail(answer)}`,
      credentials: answer.status === 401 || answer.status === 403
    })
    : new CrmHttpStatusError({ status: answer.status, bodyExcerpt: problemDetail(answer) })

/** A 2xx answer's JSON as `schema` reads it; an answer it cannot read is unknown (the CRM may have done it). */
export const decodeAnswer = <A, I>(schema: Schema.Schema<A, I>, answer: Answer): Either.Either<A, CrmError> =>
  Schema.decodeUnknownEither(Schema.parseJson(schema))(answer.body).pipe(
    Either.mapLeft((error) =>
      new CrmUnknownError({
        detail: `amoCRM's answer (HTTP ${answer.status}) is not what was expected: ${
          ParseResult.TreeFormatter.formatErrorSync(error).split("\n")[0]
        }`,
        cause: error
      })
    )
  )
