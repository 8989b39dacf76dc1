import { HttpClientRequest } from "@effect/platform"
import { Array as Arr, Effect, Option, Order, Redacted, type Schema } from "effect"

import type { Bitrix24Ref, CrmRef } from "../../lead/CrmRef.js"
import type { Lead } from "../../lead/Lead.js"
import type { CrmNote, LeadExtras } from "../Crm.js"
import { CrmClientError, type CrmError } from "../CrmError.js"
import type { Bitrix24Target } from "../CrmTarget.js"
import type { Exchange } from "../http/exchange.js"
import type { OriginLimiters } from "../http/OriginLimiter.js"
import { AddAnswer, decodeResult, DoneAnswer, GetAnswer, isQueryLimit, ListAnswer } from "./bitrixAnswers.js"
import { addLead, findLead, leadComment, phoneUpdate } from "./bitrixMapping.js"

/** The ref of a Bitrix24 lead, or a client error when the lead's ref is another CRM's (its brand changed CRMs). */
const bitrixRef = (ref: CrmRef): Effect.Effect<Bitrix24Ref, CrmError> =>
  ref._tag === "Bitrix24"
    ? Effect.succeed(ref)
    : Effect.fail(new CrmClientError({ detail: `the lead is a ${ref._tag} one, but its brand's CRM is now Bitrix24` }))

/** Bitrix24 through an inbound webhook, each call within its portal's budget. */
export const makeBitrix24 = (exchange: Exchange, limiters: OriginLimiters) => {
  /** One REST method, its parameters as JSON; QUERY_LIMIT_EXCEEDED pauses the portal and is asked again. */
  const call = (target: Bitrix24Target, method: string, params: unknown) => {
    const base = Redacted.value(target.url)
    const request = HttpClientRequest.post(`${base}${method}`).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUnsafeJson(params)
    )
    return exchange(request, { url: base, limiter: limiters.of(new URL(base).origin), tooMany: isQueryLimit })
  }

  /** A method's result as `schema` reads it. */
  const result = <A, I>(
    target: Bitrix24Target,
    method: string,
    params: unknown,
    schema: Schema.Schema<A, I>
  ) =>
    Effect.flatMap(call(target, method, params), (answer) => decodeResult(schema, answer, Redacted.value(target.url)))

  const deliver = Effect.fn("Crm.bitrix24.deliver")(function*(target: Bitrix24Target, lead: Lead, extras: LeadExtras) {
    const added = yield* result(target, "crm.lead.add", addLead(lead, extras, target.sourceId), AddAnswer)
    return { _tag: "Bitrix24", leadId: added.result } satisfies CrmRef
  })

  const findExisting = Effect.fn("Crm.bitrix24.findExisting")(function*(target: Bitrix24Target, leadId: string) {
    const found = yield* result(target, "crm.lead.list", findLead(leadId), ListAnswer)
    const oldest = Arr.head(Arr.sort(found.result.map((l) => l.ID), Order.number))
    return Option.map(oldest, (id): CrmRef => ({ _tag: "Bitrix24", leadId: id }))
  })

  const addNote = Effect.fn("Crm.bitrix24.addNote")(function*(target: Bitrix24Target, ref: CrmRef, note: CrmNote) {
    const { leadId } = yield* bitrixRef(ref)
    yield* result(target, "crm.timeline.comment.add", leadComment(leadId, note.text), DoneAnswer)
  })

  /** The phone beside the lead's other numbers, unless it has it already. */
  const updatePhone = Effect.fn("Crm.bitrix24.updatePhone")(function*(
    target: Bitrix24Target,
    ref: CrmRef,
    phone: string
  ) {
    const { leadId } = yield* bitrixRef(ref)
    const current = yield* result(target, "crm.lead.get", { id: leadId }, GetAnswer)
    const update = phoneUpdate(leadId, (current.result.PHONE ?? []).map((p) => p.VALUE), phone)
    if (Option.isSome(update)) yield* result(target, "crm.lead.update", update.value, DoneAnswer)
  })

  return { call, deliver, findExisting, addNote, updatePhone } as const
}

export type Bitrix24 = ReturnType<typeof makeBitrix24>
