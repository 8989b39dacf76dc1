import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"

import { AmoCrmSim } from "../../sim/AmoCrmSim.js"
import { Crm } from "../../src/crm/Crm.js"
import { logLine, mayHaveReachedCrm } from "../../src/crm/CrmError.js"
import { leadNotes } from "../../src/crm/leadNotes.js"
import { managerReplyNoteText } from "../../src/crm/leadTexts.js"
import { aLead, amoTarget, liveCrm, noExtras, withLogLines, withPhoneAndUtm } from "../support/crmClients.js"

/** The amoCRM client against its stand-in, over real HTTP on 127.0.0.1. */
describe("amoCRM, against its stand-in", () => {
  let sim: AmoCrmSim
  beforeEach(async () => {
    sim = await AmoCrmSim.start({ pipelines: [7001] })
  })
  afterEach(() => sim.close())

  const crm = Crm

  it.live("a lead with its contact, phone, UTM and tags; then its note, a later note, a later phone", () =>
    Effect.gen(function*() {
      const { addNote, deliver, updatePhone } = yield* crm
      const target = amoTarget(sim, { pipelineId: Option.some(7001) })
      const lead = aLead("3f1c2a9e-0b7d-4c1e-9f00-12ab34cd56ef")
      const ref = yield* deliver(target, lead, withPhoneAndUtm)
      const [made] = sim.view()
      expect(ref).toEqual({ _tag: "AmoCrm", leadId: made!.id, contactId: Option.some(made!.contactId) })
      expect(made).toMatchObject({
        name: "MONSTER AGENCY: Привлечь клиентов · 3f1c2a9e0b7d4c1e9f0012ab34cd56ef",
        pipeline_id: 7001,
        tags: ["agency", "vk_spring"],
        custom_fields_values: [
          { field_code: "UTM_SOURCE", values: [{ value: "vk" }] },
          { field_code: "UTM_MEDIUM", values: [{ value: "cpc" }] },
          { field_code: "UTM_CAMPAIGN", values: [{ value: "spring" }] }
        ],
        contact: {
          name: "Galliard Smith",
          custom_fields_values: [{ field_code: "PHONE", values: [{ value: "+79991234567", enum_code: "MOB" }] }]
        }
      })
      for (const note of leadNotes(target, lead, withPhoneAndUtm)) yield* addNote(target, ref, note)
      yield* addNote(target, ref, { key: "relay:1", text: managerReplyNoteText("Анна", "Позвоню") })
      expect(sim.notes.map((n) => n.requestId)).toEqual(["lead", "relay:1"])
      expect(sim.view()[0]!.notes[0]).toContain("Username: @betterrman")
      expect(sim.view()[0]!.notes[0]).toContain("Telegram ID: 501")
      expect(sim.view()[0]!.notes[1]).toBe("Менеджер Анна: Позвоню")
      yield* updatePhone(target, ref, "+79990000001")
      yield* updatePhone(target, ref, "+79990000001")
      expect(sim.view()[0]!.contact!.custom_fields_values).toEqual([{
        field_code: "PHONE",
        values: [{ value: "+79991234567", enum_code: "MOB" }, { value: "+79990000001", enum_code: "MOB" }]
      }])
      // The second time the contact has the number: it is read, not patched again.
      expect(sim.received.filter((r) => r.method === "PATCH")).toHaveLength(1)
    }).pipe(Effect.provide(liveCrm())))

  it.live("a lead without a phone gets one later: the contact's first number", () =>
    Effect.gen(function*() {
      const { deliver, updatePhone } = yield* crm
      const target = amoTarget(sim)
      const ref = yield* deliver(target, aLead("l-1", { campaign: Option.none() }), noExtras)
      expect(sim.view()[0]).toMatchObject({
        tags: ["agency"],
        custom_fields_values: [],
        contact: { custom_fields_values: [] }
      })
      yield* updatePhone(target, ref, "+79991234567")
      expect(sim.view()[0]!.contact!.custom_fields_values).toEqual([
        { field_code: "PHONE", values: [{ value: "+79991234567", enum_code: "MOB" }] }
      ])
    }).pipe(Effect.provide(liveCrm())))

  it.live("400 validation (a pipeline the account lacks): a client error spelling out the field", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        (yield* crm).deliver(amoTarget(sim, { pipelineId: Option.some(999) }), aLead("l-1"), noExtras)
      )
      expect(error._tag).toBe("CrmClientError")
      expect(logLine(error)).toBe(
        "CRM request failed (client error): amoCRM answered HTTP 400: Request validation failed: pipeline_id: The " +
          "value you selected is not a valid choice. (NotSupportedChoice)"
      )
      expect(mayHaveReachedCrm(error)).toBe(false)
      expect(sim.leads).toHaveLength(0)
    }).pipe(Effect.provide(liveCrm())))

  it.live("401 (a wrong token): a client error, and the token in no error", () =>
    Effect.gen(function*() {
      const target = amoTarget(sim, { token: Redacted.make("stale-token-123") })
      const error = yield* Effect.flip((yield* crm).deliver(target, aLead("l-1"), noExtras))
      expect(error).toMatchObject({
        _tag: "CrmClientError",
        detail: "amoCRM answered HTTP 401: Неверный логин или пароль"
      })
      expect(JSON.stringify(error)).not.toContain("stale-token-123")
    }).pipe(Effect.provide(liveCrm())))

  it.live(
    "429: the account pauses a second and the request is asked again; still 429 after that is an HTTP status error",
    () =>
      Effect.gen(function*() {
        const { deliver } = yield* crm
        yield* Effect.promise(() => sim.setMode({ kind: "tooMany" }, 1))
        const ref = yield* deliver(amoTarget(sim), aLead("l-1"), noExtras)
        expect(ref._tag).toBe("AmoCrm")
        const [refused, retried] = sim.received
        expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1_000)
        expect(sim.leads).toHaveLength(1)
        yield* Effect.promise(() => sim.setMode({ kind: "tooMany" }))
        const error = yield* Effect.flip(deliver(amoTarget(sim), aLead("l-2"), noExtras))
        expect(error).toMatchObject({ _tag: "CrmHttpStatusError", status: 429 })
        expect(mayHaveReachedCrm(error)).toBe(false)
      }).pipe(Effect.provide(liveCrm())),
    15_000
  )

  it.live("500: an HTTP status error that may have reached amoCRM; a hang: a timeout", () =>
    Effect.gen(function*() {
      const { deliver } = yield* crm
      yield* Effect.promise(() => sim.setMode({ kind: "status", status: 500 }))
      const failed = yield* Effect.flip(deliver(amoTarget(sim), aLead("l-1"), noExtras))
      expect(failed).toMatchObject({ _tag: "CrmHttpStatusError", status: 500 })
      expect(mayHaveReachedCrm(failed)).toBe(true)
      yield* Effect.promise(() => sim.setMode({ kind: "hang" }))
      const hung = yield* Effect.flip(deliver(amoTarget(sim), aLead("l-1"), noExtras))
      expect(hung).toEqual(expect.objectContaining({ _tag: "CrmTimeoutError", timeoutMs: 300 }))
    }).pipe(Effect.provide(liveCrm({ timeoutMs: 300 }))))

  it.live("a timeout after amoCRM made the lead: the search finds it (with its contact), so no second lead", () =>
    Effect.gen(function*() {
      const { deliver, findExisting } = yield* crm
      const target = amoTarget(sim)
      const lead = aLead("9d2e7c1a-5b3f-4e6d-8a9b-0c1d2e3f4a5b")
      yield* deliver(target, aLead("9d2e7c1a-5b3f-4e6d-8a9b-0c1d2e3f4a5b0"), noExtras) // a longer id: not this one
      yield* Effect.promise(() => sim.setMode({ kind: "acceptThenHang" }, 1))
      const error = yield* Effect.flip(deliver(target, lead, withPhoneAndUtm))
      expect(error._tag).toBe("CrmTimeoutError")
      expect(mayHaveReachedCrm(error)).toBe(true)
      const found = yield* findExisting(target, lead.id)
      const made = sim.leads.find((l) => l.name.endsWith("0c1d2e3f4a5b"))!
      expect(found).toEqual(Option.some({ _tag: "AmoCrm", leadId: made.id, contactId: Option.some(made.contactId) }))
      expect(sim.leads).toHaveLength(2)
      expect(yield* findExisting(target, "never-sent")).toEqual(Option.none())
    }).pipe(Effect.provide(liveCrm({ timeoutMs: 300 }))))

  it.live(
    "300 leads at once on one account, two brands sharing it: no 429, each lead there once",
    () =>
      Effect.gen(function*() {
        const { deliver } = yield* crm
        const brands = [
          amoTarget(sim),
          amoTarget(sim, { tokenVariable: "AMOCRM_TOKEN_CG", urlVariable: "AMOCRM_URL_CG" })
        ]
        const ids = Array.from({ length: 300 }, (_, i) => `burst-${i}`)
        const refs = yield* Effect.forEach(ids, (id, i) => deliver(brands[i % 2]!, aLead(id), noExtras), {
          concurrency: "unbounded"
        })
        expect(sim.tooFast).toBe(0)
        expect(sim.leads).toHaveLength(300)
        expect(new Set(sim.leads.map((l) => l.name)).size).toBe(300)
        expect(new Set(refs.map((r) => (r._tag === "AmoCrm" ? r.leadId : 0))).size).toBe(300)
        // At most 7 in any second, measured where they arrived.
        const at = sim.received.map((r) => r.at)
        expect(Math.max(...at.map((t) => at.filter((u) => u >= t && u < t + 1_000).length))).toBeLessThanOrEqual(7)
      }).pipe(Effect.provide(liveCrm())),
    90_000
  )

  it.live("the amoCRM stand-in itself refuses a burst over 7 a second with 429", () =>
    Effect.promise(async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () =>
        fetch(`${sim.url}/api/v4/account`, { headers: { authorization: `Bearer ${sim.token}` } }).then((r) =>
          r.status
        )))
      expect(answers.filter((s) =>
        s === 200
      )).toHaveLength(7)
      expect(answers.filter((s) => s === 429)).toHaveLength(3)
    }))

  it.live("at start: a good token is said in a line; a refused token or a missing pipeline stops start-up", () =>
    Effect.gen(function*() {
      const { check } = yield* crm
      const lines: Array<string> = []
      yield* withLogLines(lines, check(amoTarget(sim, { pipelineId: Option.some(7001) }), "agency"))
      expect(lines).toEqual(["INFO amoCRM of agency: account \"Stand-in agency\" (standin)"])
      const refused = yield* Effect.flip(check(amoTarget(sim, { token: Redacted.make("expired") }), "agency"))
      expect(refused.message).toBe(
        "AMOCRM_TOKEN_AGENCY: amoCRM says the token is invalid or expired (HTTP 401: Неверный логин или пароль)"
      )
      const pipeline = yield* Effect.flip(check(amoTarget(sim, { pipelineId: Option.some(42) }), "agency"))
      expect(pipeline.message).toBe("AMOCRM_PIPELINE_ID_AGENCY: amoCRM has no pipeline 42")
    }).pipe(Effect.provide(liveCrm())))

  it.live("at start, amoCRM down or slow: a warning, and start-up goes on", () =>
    Effect.gen(function*() {
      const { check } = yield* crm
      const lines: Array<string> = []
      yield* Effect.promise(() => sim.setMode({ kind: "hang" }))
      yield* withLogLines(lines, check(amoTarget(sim), "agency"))
      yield* Effect.promise(() => sim.setMode({ kind: "refused" }))
      yield* withLogLines(lines, check(amoTarget(sim), "agency"))
      expect(lines).toEqual([
        `WARN amoCRM of agency (${sim.url}) did not answer as expected at start: CRM timed out after 300 ms; its ` +
        `leads are tried as they come`,
        expect.stringMatching(/^WARN amoCRM of agency .* CRM unreachable \(connection error\)/)
      ])
    }).pipe(Effect.provide(liveCrm({ timeoutMs: 300 }))))
})
