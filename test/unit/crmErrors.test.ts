import { describe, expect, it } from "@effect/vitest"

import { problemDetail, refusal as amoRefusal } from "../../src/crm/amocrm/amoAnswers.js"
import { refusal as bitrixRefusal } from "../../src/crm/bitrix24/bitrixAnswers.js"
import {
  CrmClientError,
  CrmConnectionError,
  type CrmError,
  CrmHttpStatusError,
  CrmTimeoutError,
  CrmUnknownError,
  mayHaveReachedCrm
} from "../../src/crm/CrmError.js"
import { classifyTransport } from "../../src/crm/http/classify.js"
import type { Answer } from "../../src/crm/http/exchange.js"

const answer = (status: number, body: unknown): Answer => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  retryAfterMillis: undefined
})

describe("which failures may have reached the CRM (ask it before a resend)", () => {
  it.each([
    [new CrmTimeoutError({ timeoutMs: 10_000 }), true],
    [new CrmConnectionError({ detail: "socket hang up", code: "ECONNRESET" }), true],
    [new CrmConnectionError({ detail: "closed", code: "UND_ERR_SOCKET" }), true],
    [new CrmConnectionError({ detail: "refused", code: "ECONNREFUSED" }), false],
    [new CrmConnectionError({ detail: "no such host", code: "ENOTFOUND" }), false],
    [new CrmConnectionError({ detail: "connect timeout", code: "UND_ERR_CONNECT_TIMEOUT" }), false],
    [new CrmConnectionError({ detail: "no code: it may have been sent" }), true],
    [new CrmHttpStatusError({ status: 500, bodyExcerpt: "" }), true],
    [new CrmHttpStatusError({ status: 504, bodyExcerpt: "" }), true],
    [new CrmHttpStatusError({ status: 503, bodyExcerpt: "QUERY_LIMIT_EXCEEDED" }), false],
    [new CrmHttpStatusError({ status: 429, bodyExcerpt: "" }), false],
    [new CrmClientError({ detail: "amoCRM answered HTTP 400" }), false],
    [new CrmUnknownError({ detail: "an answer that could not be read", cause: null }), true]
  ] as ReadonlyArray<readonly [CrmError, boolean]>)("%s → %s", (error, ambiguous) => {
    expect(mayHaveReachedCrm(error)).toBe(ambiguous)
  })
})

describe("a transport failure as a CrmError", () => {
  const transport = (code: string | undefined) =>
    Object.assign(new Error(`failed at https://agency.bitrix24.ru/rest/1/secret-code/crm.lead.add`), { code })
  const url = "https://agency.bitrix24.ru/rest/1/secret-code/"

  it("a connection error keeps the code (it says whether the request may have gone), never the path", () => {
    const refused = classifyTransport(url)(transport("ECONNREFUSED"))
    expect(refused).toMatchObject({ _tag: "CrmConnectionError", code: "ECONNREFUSED" })
    expect(mayHaveReachedCrm(refused)).toBe(false)
    const reset = classifyTransport(url)(transport("ECONNRESET"))
    expect(mayHaveReachedCrm(reset)).toBe(true)
    expect(JSON.stringify(reset)).not.toContain("secret-code")
  })

  it("a token never reaches the detail; an unknown transport code is a client error", () => {
    const error = classifyTransport("https://a.amocrm.ru", ["tok-123"])(new Error("bad header Bearer tok-123"))
    expect(error._tag).toBe("CrmClientError")
    expect(JSON.stringify(error)).not.toContain("tok-123")
  })
})

describe("amoCRM's refusals", () => {
  const validation = {
    "validation-errors": [{
      request_id: "0",
      errors: [{
        code: "NotSupportedChoice",
        path: "custom_fields_values.0.field_code",
        detail: "The value you selected is not a valid choice."
      }]
    }],
    title: "Bad Request",
    type: "https://httpstatus.es/400",
    status: 400,
    detail: "Request validation failed"
  }

  it("400 with validation-errors: a client error spelling out each field", () => {
    expect(amoRefusal(answer(400, validation))).toEqual(
      new CrmClientError({
        detail: "amoCRM answered HTTP 400: Request validation failed: custom_fields_values.0.field_code: The value " +
          "you selected is not a valid choice. (NotSupportedChoice)",
        credentials: false
      })
    )
  })

  it.each([[401, true], [402, false], [403, true], [404, false]] as const)(
    "%i: a client error with amoCRM's detail; a refusal of the token: %s",
    (status, credentials) => {
      const error = amoRefusal(answer(status, { title: "Unauthorized", status, detail: "Неверный логин или пароль" }))
      expect(error).toEqual(
        new CrmClientError({ detail: `amoCRM answered HTTP ${status}: Неверный логин или пароль`, credentials })
      )
    }
  )

  it.each([429, 500, 502])("%i: an HTTP status error (retried later)", (status) => {
    expect(amoRefusal(answer(status, "<html>busy</html>"))).toEqual(
      new CrmHttpStatusError({ status, bodyExcerpt: "<html>busy</html>" })
    )
  })

  it("an empty body says so", () => {
    expect(problemDetail(answer(500, ""))).toBe("(empty body)")
  })
})

describe("Bitrix24's refusals", () => {
  const url = "https://agency.bitrix24.ru/rest/1/secret-code/"
  it.each(
    [
      ["expired_token", 401],
      ["invalid_token", 401],
      ["NO_AUTH_FOUND", 401],
      ["INVALID_CREDENTIALS", 403],
      ["insufficient_scope", 403]
    ] as const
  )("%s: the webhook refused, a client error", (code, status) => {
    const error = bitrixRefusal(answer(status, { error: code, error_description: "no" }), url)
    expect(error).toEqual(
      new CrmClientError({ detail: `Bitrix24 refused the webhook: ${code}: no`, credentials: true })
    )
  })

  it("QUERY_LIMIT_EXCEEDED and 5xx: HTTP status errors (retried), 4xx a client error, never the secret path", () => {
    expect(bitrixRefusal(answer(503, { error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" }), url))
      .toEqual(new CrmHttpStatusError({ status: 503, bodyExcerpt: "QUERY_LIMIT_EXCEEDED: Too many requests" }))
    expect(bitrixRefusal(answer(500, { error: "INTERNAL_SERVER_ERROR", error_description: "Internal" }), url))
      .toMatchObject({ _tag: "CrmHttpStatusError", status: 500 })
    const refused = bitrixRefusal(answer(400, { error: "", error_description: `bad ${url}crm.lead.add` }), url)
    expect(refused._tag).toBe("CrmClientError")
    expect(JSON.stringify(refused)).not.toContain("secret-code")
  })
})
