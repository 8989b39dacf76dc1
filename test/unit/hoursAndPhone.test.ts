import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, Redacted, Schema, TestClock } from "effect"

import { Delivery } from "../../src/delivery/Delivery.js"
import { normalisePhone, phoneInText } from "../../src/lead/phone.js"
import { HoursSchema } from "../../src/profiles/hoursSchema.js"
import { decodeLocales, makeProfiles, Profiles } from "../../src/profiles/Profiles.js"
import { afterWorkingMinutes } from "../../src/profiles/workingClock.js"
import { UpdateRouter } from "../../src/router/UpdateRouter.js"
import { localesWith } from "../support/locales.js"
import {
  botServices,
  noPerBrand,
  perBrandOf,
  recordingTelegram,
  scriptedCrm,
  testConfigWith
} from "../support/testLayers.js"
import { tapUpdate } from "../support/updates.js"

describe("a phone number", () => {
  it.each([
    ["+7 999 123-45-67", "+79991234567"],
    ["8 (999) 123 45 67", "+79991234567"],
    ["+44 20 7946 0958", "+442079460958"],
    ["  79991234567 ", "+79991234567"]
  ])("%j is the phone %s", (text, phone) => {
    expect(phoneInText(text)).toEqual(Option.some(phone))
  })

  it.each(["call me at +7 999 123-45-67", "12345", "https://example.com", "+7 999 123-45-67 или 8 800", "2026-12-01"])(
    "%j is not only a phone",
    (text) => {
      expect(phoneInText(text)).toEqual(Option.none())
    }
  )

  it("a shared contact's number: + and digits", () => {
    expect(normalisePhone("79991234567")).toBe("+79991234567")
    expect(normalisePhone("+79991234567")).toBe("+79991234567")
  })
})

describe("working hours in locales.json", () => {
  it.each([
    [{ days: "mon-frx", from: "10:00", to: "19:00" }, /^profiles\.agency\.hours\.days: expected days among sun, mon/],
    [{ days: "mon-fri", from: "25:00", to: "26:00" }, /^profiles\.agency\.hours\.from: expected a time HH:MM/],
    [{ days: "mon-fri", from: "19:00", to: "10:00" }, /^profiles\.agency\.hours\.to: expected a time after from/],
    [{ days: "mon,funday", from: "10:00", to: "19:00" }, /^profiles\.agency\.hours\.days: expected a range such as/],
    [{ days: "mon-fri", from: "10:00" }, /^profiles\.agency\.hours\.to: is missing$/]
  ])("%o → one line naming its JSON path", (hours, expected) => {
    const result = decodeLocales(localesWith((j) => (j.profiles.agency.hours = hours)))
    expect(Either.isLeft(result) && result.left).toMatch(expected)
  })

  it("days as a range, a wrapping range, a list; in Russian for the text", () => {
    const hoursOf = (days: string) => {
      const decoded = Either.getOrThrow(
        decodeLocales(localesWith((j) => (j.profiles.agency.hours = { days, from: "10:00", to: "19:00" })))
      )
      return decoded.profiles.agency!.hours!
    }
    expect([...hoursOf("mon-fri").days].sort()).toEqual([1, 2, 3, 4, 5])
    expect(hoursOf("mon-fri").daysRu).toBe("пн–пт")
    expect([...hoursOf("fri-mon").days].sort()).toEqual([0, 1, 5, 6])
    expect(hoursOf("mon,wed,fri").daysRu).toBe("пн, ср, пт")
    expect(hoursOf("mon-sun").daysRu).toBe("ежедневно")
  })
})

describe("the confirmation outside working hours (Moscow, mon-fri 10:00-19:00)", () => {
  const profiles = Layer.effect(
    Profiles,
    makeProfiles(
      Either.getOrThrow(
        decodeLocales(localesWith((j) => (j.profiles.agency.hours = { days: "mon-fri", from: "10:00", to: "19:00" })))
      ),
      {
        ...noPerBrand,
        CRM_WEBHOOK_URL: perBrandOf(
          "CRM_WEBHOOK_URL",
          Object.fromEntries(["agency", "cg", "express"].map((b) => [b, Redacted.make(`http://crm.test/${b}`)]))
        )
      }
    ).pipe(Effect.map(Profiles.make))
  )
  const offHoursLine = "🌙 Сейчас нерабочее время: менеджеры работают пн–пт с 10:00 до 19:00 — ответим в рабочее время."

  /** The confirmation of a tap at `utc` (an instant). */
  const confirmedAt = (utc: number, brand = "agency", service = "clients") => {
    const telegram = recordingTelegram()
    const tapped = Effect.gen(function*() {
      yield* (yield* UpdateRouter).handle(tapUpdate({ id: 501, first_name: "G" }, `lead:${brand}:${service}`))
      // Its delivery done before the bot's layers close (their shutdown would wait on the test clock).
      yield* (yield* Delivery).awaitIdle
      return String(telegram.calls.find((c) => c.method === "sendMessage" && c.payload.chat_id === 501)!.payload.text)
    }).pipe(
      Effect.provide(
        botServices(telegram.layer, scriptedCrm().layer, testConfigWith({ adminTimeZone: "Europe/Moscow" }), profiles)
      )
    )
    // The clock is set before the bot starts: moving it years on under running loops would run each of their turns.
    return TestClock.setTime(utc).pipe(Effect.zipRight(tapped))
  }

  // 2026-12-01 is a Tuesday; Moscow is UTC+3.
  it.scoped("23:40 on a weekday: the line, after the strategist's", () =>
    Effect.gen(function*() {
      const text = yield* confirmedAt(Date.UTC(2026, 11, 1, 20, 40))
      expect(text.split("\n\n")).toEqual([
        "✅ Принято: Привлечь клиентов.",
        "👤 Наш стратег свяжется с вами в Telegram в ближайшее время.",
        offHoursLine,
        expect.stringContaining("ссылку на ваш текущий сайт")
      ])
    }))

  it.scoped("11:00 on a Saturday: the line", () =>
    Effect.gen(function*() {
      expect(yield* confirmedAt(Date.UTC(2026, 11, 5, 8, 0))).toContain(offHoursLine)
    }))

  it.scoped("11:00 on a weekday: no line; a brand without hours: never", () =>
    Effect.gen(function*() {
      expect(yield* confirmedAt(Date.UTC(2026, 11, 1, 8, 0))).not.toContain("нерабочее")
      expect(yield* confirmedAt(Date.UTC(2026, 11, 1, 20, 40), "cg", "ai_video")).not.toContain("нерабочее")
    }))
})

describe("working minutes (the reminders' clock)", () => {
  const weekdays = Either.getOrThrow(
    Schema.decodeUnknownEither(HoursSchema)({ days: "mon-fri", from: "10:00", to: "19:00" })
  )
  const moscow = (iso: string) => Date.parse(`${iso}+03:00`)
  it.each([
    ["a Tuesday 23:40, 15 min: 10:15 on Wednesday", "2026-12-08T23:40:00", 15, "2026-12-09T10:15:00"],
    ["within hours: plain minutes", "2026-12-08T11:00:00", 15, "2026-12-08T11:15:00"],
    ["across the evening: what is left, the next morning", "2026-12-08T18:50:00", 15, "2026-12-09T10:05:00"],
    ["a Friday evening: Monday", "2026-12-11T18:55:00", 30, "2026-12-14T10:25:00"],
    ["a Saturday: Monday morning", "2026-12-12T12:00:00", 60, "2026-12-14T11:00:00"],
    ["before opening: from the opening", "2026-12-08T08:00:00", 45, "2026-12-08T10:45:00"],
    ["a whole working day and more", "2026-12-08T10:00:00", 600, "2026-12-09T11:00:00"]
  ])("%s", (_, from, minutes, due) => {
    expect(afterWorkingMinutes(moscow(from), minutes, Option.some(weekdays), "Europe/Moscow")).toBe(moscow(due))
  })
  it("without hours, plain minutes", () => {
    expect(afterWorkingMinutes(moscow("2026-12-08T23:40:00"), 15, Option.none(), "Europe/Moscow")).toBe(
      moscow("2026-12-08T23:55:00")
    )
  })
})
