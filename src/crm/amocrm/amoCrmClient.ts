import { HttpClientRequest } from "@effect/platform"
import { Array as Arr, Effect, Either, Option, Order, Redacted } from "effect"

import type { AmoCrmRef, CrmRef } from "../../lead/CrmRef.js"
import type { Lead } from "../../lead/Lead.js"
import type { CrmNote, LeadExtras } from "../Crm.js"
import { CrmClientError, type CrmError } from "../CrmError.js"
import type { AmoCrmTarget } from "../CrmTarget.js"
import type { Answer, Exchange } from "../http/exchange.js"
import type { OriginLimiters } from "../http/OriginLimiter.js"
import { ComplexAnswer, ContactAnswer, decodeAnswer, LeadsAnswer, refusal } from "./amoAnswers.js"
import { commonNote, complexLead, nameCarries, phonePatch, searchToken } from "./amoMapping.js"

type Method = "GET" | "POST" | "PATCH"

const ok = (answer: Answer) => answer.status >= 200 && answer.status < 300

/** A 2xx answer as `read` makes it, else the refusal as a CrmError. */
const expectOk = <A>(answer: Answer, read: (answer: Answer) => Either.Either<A, CrmError>) =>
  ok(answer) ? read(answer) : Either.left(refusal(answer))

/** The ref of an amoCRM lead, or a client error when the lead's ref is another CRM's (its brand changed CRMs). */
const amoRef = (ref: CrmRef): Effect.Effect<AmoCrmRef, CrmError> =>
  ref._tag === "AmoCrm"
    ? Effect.succeed(ref)
    : Effect.fail(new CrmClientError({ detail: `the lead is a ${ref._tag} one, but its brand's CRM is now amoCRM` }))

/** amoCRM (API v4) with a private integration's long-lived token, each request within its account's budget. */
export const makeAmoCrm = (exchange: Exchange, limiters: OriginLimiters) => {
  /** One request to the account; a 429 pauses the account and is asked again. */
  const call = (target: AmoCrmTarget, method: Method, path: string, body?: unknown) => {
    const token = Redacted.value(target.token)
    const request = HttpClientRequest.make(method)(`${target.url}${path}`).pipe(
      HttpClientRequest.bearerToken(token),
      HttpClientRequest.acceptJson,
      (r) => (body === undefined ? r : HttpClientRequest.bodyUnsafeJson(r, body))
    )
    return exchange(request, {
      url: target.url,
      secrets: [token],
      limiter: limiters.of(target.url),
      tooMany: (answer) => answer.status === 429
    })
  }

  const deliver = Effect.fn("Crm.amoCrm.deliver")(function*(target: AmoCrmTarget, lead: Lead, extras: LeadExtras) {
    const answer = yield* call(target, "POST", "/api/v4/leads/complex", complexLead(lead, extras, target.pipelineId))
    const [made] = yield* expectOk(answer, (a) => decodeAnswer(ComplexAnswer, a))
    return { _tag: "AmoCrm", leadId: made.id, contactId: Option.fromNullable(made.contact_id) } satisfies CrmRef
  })

  /** The oldest lead whose name carries the lead id (a search matches more than names), with its main contact. */
  const findExisting = Effect.fn("Crm.amoCrm.findExisting")(function*(target: AmoCrmTarget, leadId: string) {
    const query = new URLSearchParams({ query: searchToken(leadId), with: "contacts" })
    const answer = yield* call(target, "GET", `/api/v4/leads?${query}`)
    // amoCRM answers a search that finds nothing with 204 and no body.
    if (answer.status === 204) return Option.none<CrmRef>()
    const found = yield* expectOk(answer, (a) => decodeAnswer(LeadsAnswer, a))
    const ours = found._embedded.leads.filter((l) => nameCarries(l.name, leadId))
    return Option.map(Arr.head(Arr.sortWith(ours, (l) => l.id, Order.number)), (l): CrmRef => {
      const contacts = l._embedded?.contacts ?? []
      const main = contacts.find((c) => c.is_main === true) ?? contacts[0]
      return { _tag: "AmoCrm", leadId: l.id, contactId: Option.fromNullable(main?.id) }
    })
  })

  const addNote = Effect.fn("Crm.amoCrm.addNote")(function*(target: AmoCrmTarget, ref: CrmRef, note: CrmNote) {
    const { leadId } = yield* amoRef(ref)
    const answer = yield* call(target, "POST", `/api/v4/leads/${leadId}/notes`, commonNote(note.key, note.text))
    yield* expectOk(answer, () => Either.void)
  })

  /**
   * The phone on the lead's contact, beside the numbers it has (amoCRM replaces a field's values); on a lead whose
   * contact is gone, a note says it instead.
   */
  const updatePhone = Effect.fn("Crm.amoCrm.updatePhone")(function*(target: AmoCrmTarget, ref: CrmRef, phone: string) {
    const amo = yield* amoRef(ref)
    const asNote = addNote(target, ref, { key: `phone:${phone}`, text: `Телефон клиента: ${phone}` })
    if (Option.isNone(amo.contactId)) return yield* asNote
    const contactPath = `/api/v4/contacts/${amo.contactId.value}`
    const answer = yield* call(target, "GET", contactPath)
    if (answer.status === 204) return yield* asNote
    const contact = yield* expectOk(answer, (a) => decodeAnswer(ContactAnswer, a))
    const phones = (contact.custom_fields_values ?? [])
      .filter((field) => field.field_code === "PHONE")
      .flatMap((field) => field.values.map((v) => String(v.value)))
    const patch = phonePatch(phones, phone)
    if (Option.isNone(patch)) return
    yield* expectOk(yield* call(target, "PATCH", contactPath, patch.value), () => Either.void)
  })

  return { call, deliver, findExisting, addNote, updatePhone } as const
}

export type AmoCrm = ReturnType<typeof makeAmoCrm>
