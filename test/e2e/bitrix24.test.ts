import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"

import { Bitrix24Sim } from "../../sim/Bitrix24Sim.js"
import { Crm } from "../../src/crm/Crm.js"
import { logLine, mayHaveReachedCrm } from "../../src/crm/CrmError.js"
import { leadNotes } from "../../src/crm/leadNotes.js"
import { personMessageNoteText } from "../../src/crm/leadTexts.js"
import { aLead, bitrixTarget, liveCrm, noExtras, withLogLines, withPhoneAndUtm } from "../support/crmClients.js"

/** The Bitrix24 client against its stand-in, over real HTTP on 127.0.0.1. */
describe("Bitrix24, against its stand-in", () => {
  let sim: Bitrix24Sim
  beforeEach(async () => {
    sim = await Bitrix24Sim.start({ burst: 5 })
  })
  afterEach(() => sim.close())

  it.live("a lead with name, phone, source, UTM, origin and comments; no first note; a comment; a later phone", () =>
    Effect.gen(function*() {
      const { addNote, deliver, updatePhone } = yield* Crm
      const target = bitrixTarget(sim)
      const lead = aLead("5b3f-4e6d")
      const ref = yield* deliver(target, lead, withPhoneAndUtm)
      expect(ref).toEqual({ _tag: "Bitrix24", leadId: sim.leads[0]!.ID })
      expect(sim.view()).toEqual([{
        ID: sim.leads[0]!.ID,
        TITLE: "MONSTER AGENCY: Привлечь клиентов",
        NAME: "Galliard",
        LAST_NAME: "Smith",
        SOURCE_ID: "WEB",
        SOURCE_DESCRIPTION: "Telegram: Galliard Smith, @betterrman, id 501",
        UTM_SOURCE: "vk",
        UTM_MEDIUM: "cpc",
        UTM_CAMPAIGN: "spring",
        ORIGINATOR_ID: "leadbot",
        ORIGIN_ID: "5b3f-4e6d",
        COMMENTS: "Услуга: Привлечь клиентов\nКампания: vk_spring\nID заявки: 5b3f-4e6d",
        PHONE: [expect.objectContaining({ VALUE: "+79991234567", VALUE_TYPE: "MOBILE" })],
        comments: []
      }])
      expect(leadNotes(target, lead, withPhoneAndUtm)).toEqual([])
      yield* addNote(target, ref, { key: "message:7", text: personMessageNoteText(Option.none(), "А сроки?") })
      expect(sim.view()[0]!.comments).toEqual(["Клиент: А сроки?"])
      yield* updatePhone(target, ref, "+79990000001")
      yield* updatePhone(target, ref, "+79990000001")
      expect(sim.view()[0]!.PHONE.map((p) => p.VALUE)).toEqual(["+79991234567", "+79990000001"])
      expect(sim.received.filter((r) => r.path.endsWith("crm.lead.update"))).toHaveLength(1)
    }).pipe(Effect.provide(liveCrm())))

  it.live("a field Bitrix24 would not take (a source the portal lacks): a client error saying which", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        (yield* Crm).deliver(bitrixTarget(sim, { sourceId: "NOPE" }), aLead("l-1"), noExtras)
      )
      expect(logLine(error)).toBe(
        "CRM request failed (client error): Bitrix24 answered HTTP 400: UNKNOWN_FIELD: SOURCE_ID: no source NOPE in " +
          "the portal"
      )
    }).pipe(Effect.provide(liveCrm())))

  it.live("a wrong webhook code, an expired webhook: client errors, the secret path in neither", () =>
    Effect.gen(function*() {
      const { deliver } = yield* Crm
      const wrong = bitrixTarget(sim, { url: Redacted.make(sim.webhookUrl.replace("stand-in-secret-code", "guess")) })
      const refused = yield* Effect.flip(deliver(wrong, aLead("l-1"), noExtras))
      expect(refused).toEqual(
        expect.objectContaining({
          _tag: "CrmClientError",
          detail: "Bitrix24 refused the webhook: NO_AUTH_FOUND: Wrong authorization data"
        })
      )
      yield* Effect.promise(() => sim.setMode({ kind: "unauthorized" }))
      const expired = yield* Effect.flip(deliver(bitrixTarget(sim), aLead("l-1"), noExtras))
      expect(expired).toMatchObject({ _tag: "CrmClientError", detail: expect.stringContaining("expired_token") })
      expect(JSON.stringify([refused, expired])).not.toContain("secret-code")
    }).pipe(Effect.provide(liveCrm())))

  it.live(
    "QUERY_LIMIT_EXCEEDED: the portal pauses and is asked again; still refused, an HTTP 503 (not ambiguous)",
    () =>
      Effect.gen(function*() {
        const { deliver } = yield* Crm
        yield* Effect.promise(() => sim.setMode({ kind: "tooMany" }, 1))
        yield* deliver(bitrixTarget(sim), aLead("l-1"), noExtras)
        expect(sim.received[1]!.at - sim.received[0]!.at).toBeGreaterThanOrEqual(1_000)
        expect(sim.leads).toHaveLength(1)
        yield* Effect.promise(() => sim.setMode({ kind: "tooMany" }))
        const error = yield* Effect.flip(deliver(bitrixTarget(sim), aLead("l-2"), noExtras))
        expect(error).toMatchObject({ _tag: "CrmHttpStatusError", status: 503 })
        expect(mayHaveReachedCrm(error)).toBe(false)
      }).pipe(Effect.provide(liveCrm())),
    15_000
  )

  it.live("500: may have reached the portal; a hang: a timeout", () =>
    Effect.gen(function*() {
      const { deliver } = yield* Crm
      yield* Effect.promise(() => sim.setMode({ kind: "status", status: 500 }))
      const failed = yield* Effect.flip(deliver(bitrixTarget(sim), aLead("l-1"), noExtras))
      expect(failed).toMatchObject({ _tag: "CrmHttpStatusError", status: 500 })
      expect(mayHaveReachedCrm(failed)).toBe(true)
      yield* Effect.promise(() => sim.setMode({ kind: "hang" }))
      expect(yield* Effect.flip(deliver(bitrixTarget(sim), aLead("l-1"), noExtras))).toMatchObject({
        _tag: "CrmTimeoutError"
      })
    }).pipe(Effect.provide(liveCrm({ timeoutMs: 300 }))))

  it.live("a timeout after Bitrix24 made the lead: crm.lead.list by origin finds it, so no second lead", () =>
    Effect.gen(function*() {
      const { deliver, findExisting } = yield* Crm
      const target = bitrixTarget(sim)
      yield* Effect.promise(() => sim.setMode({ kind: "acceptThenHang" }, 1))
      expect((yield* Effect.flip(deliver(target, aLead("lost-answer"), noExtras)))._tag).toBe("CrmTimeoutError")
      expect(yield* findExisting(target, "lost-answer")).toEqual(
        Option.some({ _tag: "Bitrix24", leadId: sim.leads[0]!.ID })
      )
      expect(yield* findExisting(target, "never-sent")).toEqual(Option.none())
      expect(sim.leads).toHaveLength(1)
    }).pipe(Effect.provide(liveCrm({ timeoutMs: 300 }))))

  it.live(
    "a burst beyond the portal's bucket: paced at 2 a second, no QUERY_LIMIT_EXCEEDED, each lead once",
    () =>
      Effect.gen(function*() {
        const { deliver } = yield* Crm
        const ids = Array.from({ length: 12 }, (_, i) => `b-${i}`)
        yield* Effect.forEach(ids, (id) => deliver(bitrixTarget(sim), aLead(id), noExtras), {
          concurrency: "unbounded"
        })
        expect(sim.tooFast).toBe(0)
        expect(sim.leads.map((l) => l.fields["ORIGIN_ID"]).sort()).toEqual([...ids].sort())
      }).pipe(Effect.provide(liveCrm())),
    20_000
  )

  it.live("the stand-in itself refuses a burst beyond its bucket with QUERY_LIMIT_EXCEEDED", () =>
    Effect.promise(async () => {
      const answers = await Promise.all(
        Array.from(
          { length: 8 },
          () =>
            fetch(`${sim.webhookUrl}crm.lead.fields`, { method: "POST" }).then((r) =>
              r.json() as Promise<{ error?: string }>
            )
        )
      )
      expect(answers.filter((a) => a.error === "QUERY_LIMIT_EXCEEDED")).toHaveLength(3)
    }))

  it.live("at start: the webhook answers; a wrong code or no crm scope stops start-up; down: a warning", () =>
    Effect.gen(function*() {
      const { check } = yield* Crm
      const lines: Array<string> = []
      yield* withLogLines(lines, check(bitrixTarget(sim), "agency"))
      expect(lines).toEqual([
        `INFO Bitrix24 of agency: the webhook at ${new URL(sim.webhookUrl).origin} answers (crm scope)`
      ])
      const wrong = bitrixTarget(sim, { url: Redacted.make(sim.webhookUrl.replace("stand-in-secret-code", "guess")) })
      const refused = yield* Effect.flip(check(wrong, "agency"))
      expect(refused.message).toBe(
        "BITRIX24_WEBHOOK_URL_AGENCY: Bitrix24 refuses the webhook (HTTP 401: NO_AUTH_FOUND: Wrong authorization " +
          "data): its code is wrong or was deleted"
      )
      const scopeless = yield* Effect.promise(() => Bitrix24Sim.start({ scopes: ["user"] }))
      const noScope = yield* Effect.flip(check(bitrixTarget(scopeless), "agency"))
      yield* Effect.promise(() => scopeless.close())
      expect(noScope.message).toMatch(/^BITRIX24_WEBHOOK_URL_AGENCY: Bitrix24 says the webhook lacks the crm scope/)
      yield* Effect.promise(() => sim.setMode({ kind: "refused" }))
      const down: Array<string> = []
      yield* withLogLines(down, check(bitrixTarget(sim), "agency"))
      expect(down).toEqual([expect.stringMatching(/^WARN Bitrix24 of agency .* CRM unreachable \(connection error\)/)])
      expect(JSON.stringify([refused, noScope, lines, down])).not.toContain("secret-code")
    }).pipe(Effect.provide(liveCrm())))
})
