import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, TestClock } from "effect"

import { Crm, type CrmNote } from "../../src/crm/Crm.js"
import { CrmClientError, type CrmError, CrmHttpStatusError } from "../../src/crm/CrmError.js"
import { CrmNotesDelivery } from "../../src/crmNotes/CrmNotesDelivery.js"
import { Delivery } from "../../src/delivery/Delivery.js"
import { makeProfiles, Profiles } from "../../src/profiles/Profiles.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import {
  botServices,
  noPerBrand,
  perBrandOf,
  recordingTelegram,
  shippedLocales,
  testConfig
} from "../support/testLayers.js"
import { tapUpdate, textUpdate } from "../support/updates.js"

const galliard = { id: 501, first_name: "Galliard", username: "betterrman" }

/** agency on amoCRM (the double below answers for it), the other brands on no CRM. */
const agencyOnAmoCrm = Layer.effect(
  Profiles,
  Effect.suspend(() =>
    makeProfiles(shippedLocales(), {
      ...noPerBrand,
      AMOCRM_URL: perBrandOf("AMOCRM_URL", { agency: "http://127.0.0.1:9" }),
      AMOCRM_TOKEN: perBrandOf("AMOCRM_TOKEN", { agency: Redacted.make("token") })
    })
  ).pipe(Effect.map(Profiles.make))
)

/** amoCRM as the notes see it: every lead taken as lead 101; each note answered by the next scripted result. */
const amoCrmWithNotes = (script: Array<CrmError | "ok">) => {
  const notes: Array<CrmNote> = []
  const layer = Layer.succeed(
    Crm,
    Crm.of({
      deliver: () => Effect.succeed({ _tag: "AmoCrm" as const, leadId: 101, contactId: Option.some(201) }),
      findExisting: () => Effect.succeed(Option.none()),
      addNote: (_target, _ref, note) =>
        Effect.suspend(() => {
          notes.push(note)
          const next = script.shift() ?? "ok"
          return next === "ok" ? Effect.void : Effect.fail(next)
        }),
      updatePhone: () => Effect.void,
      check: () => Effect.void
    })
  )
  return { notes, layer }
}

/** Lets the notes' loop find what is due (it looks every second), and what it started finish. */
const notesAfter = (seconds: number) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(`${seconds} seconds`)
    yield* (yield* CrmNotesDelivery).awaitIdle
  })

describe("CrmNotesDelivery: a lead's notes to its amoCRM, each once, in order", () => {
  it.scoped("a 500 is retried with the backoff; the note is sent once it passes", () => {
    const crm = amoCrmWithNotes([new CrmHttpStatusError({ status: 500, bodyExcerpt: "down" })])
    return Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(tapUpdate(galliard, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      yield* notesAfter(1)
      expect(crm.notes.map((n) => n.key)).toEqual(["lead"])
      yield* notesAfter(3)
      expect(crm.notes.map((n) => n.key)).toEqual(["lead", "lead"])
      expect(crm.notes[1]!.text).toContain("Telegram ID: 501")
      yield* notesAfter(30)
      expect(crm.notes).toHaveLength(2)
    }).pipe(Effect.provide(botServices(recordingTelegram().layer, crm.layer, testConfig, agencyOnAmoCrm)))
  })

  it.scoped("a client error sets the note aside, once; the lead's next note still goes", () => {
    const crm = amoCrmWithNotes([new CrmClientError({ detail: "amoCRM answered HTTP 400: Request validation failed" })])
    return Effect.gen(function*() {
      const router = yield* UpdateRouter
      const delivery = yield* Delivery
      yield* router.handle(tapUpdate(galliard, "lead:agency:clients"))
      yield* delivery.awaitIdle
      yield* notesAfter(1)
      yield* notesAfter(30)
      expect(crm.notes.map((n) => n.key)).toEqual(["lead"])
      yield* router.handle(textUpdate(galliard, "https://example.com"))
      yield* delivery.awaitIdle
      yield* notesAfter(1)
      expect(crm.notes.map((n) => [n.key, n.text])).toEqual([["lead", expect.any(String)], [
        "follow-up:1",
        "https://example.com"
      ]])
    }).pipe(Effect.provide(botServices(recordingTelegram().layer, crm.layer, testConfig, agencyOnAmoCrm)))
  })

  it.scoped("a refused token keeps the note: retried until the operator fixes it, then sent", () => {
    const expired = new CrmClientError({
      detail: "amoCRM answered HTTP 401: Неверный логин или пароль",
      credentials: true
    })
    const crm = amoCrmWithNotes([expired, expired])
    return Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(tapUpdate(galliard, "lead:agency:clients"))
      yield* (yield* Delivery).awaitIdle
      yield* notesAfter(1)
      expect(crm.notes.map((n) => n.key)).toEqual(["lead"])
      // Refused twice (the retries' times are jittered), then sent: three tries, and none after.
      yield* notesAfter(60)
      expect(crm.notes.map((n) => n.key)).toEqual(["lead", "lead", "lead"])
      yield* notesAfter(60)
      expect(crm.notes).toHaveLength(3)
    }).pipe(Effect.provide(botServices(recordingTelegram().layer, crm.layer, testConfig, agencyOnAmoCrm)))
  })
})
