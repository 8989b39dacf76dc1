import { createHash } from "node:crypto"

import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"

import { consentCsv } from "../../scripts/consentsReport.js"
import type { LeadRecord } from "../../src/lead/Lead.js"
import { consentMessage } from "../../src/privacy/consentMessage.js"
import { ERASED_HTML, ERASED_TOPIC, erasureSteps, lateSteps } from "../../src/privacy/erasureSteps.js"
import { myDataHtml } from "../../src/privacy/myDataText.js"
import { decodeLocales } from "../../src/profiles/Profiles.js"
import { parseButton } from "../../src/telegram/buttons.js"
import { parseTelegramHtml } from "../../src/telegram/parseTelegramHtml.js"
import { CONSENT, localesWith } from "../support/locales.js"

const locales = Either.getOrThrow(decodeLocales(localesWith((j) => (j.consent = { ...CONSENT }))))

const record = (id: string, profile: string, outcome: LeadRecord["outcome"], card = Option.none<number>()) =>
  ({
    lead: {
      id,
      profile,
      brandName: profile === "cg" ? "MONSTER CG" : "MONSTER AGENCY",
      serviceId: "clients",
      title: "Привлечь <клиентов>",
      contact: { telegramId: 501, fullName: "Ann", username: Option.some("ann") },
      createdAt: Date.UTC(2026, 11, 7, 9, 0),
      tapId: "q",
      campaign: Option.none()
    },
    outcome,
    attempts: [],
    handled: Option.none(),
    handledShown: false,
    card,
    taken: Option.none(),
    takenShown: false,
    reminders: { sent: 0, nextAt: Option.none() },
    answered: false,
    crm: { ref: Option.none(), maybeThere: false },
    reconcile: { dueAt: Option.none(), retries: 0, reconciledAt: Option.none(), shown: false },
    work: { dueAt: Option.none(), retries: 0, wakes: 0 }
  }) satisfies LeadRecord

describe("the consent section of locales.json", () => {
  it("is optional: absent, no consent is asked; present, its texts have Russian defaults", () => {
    expect(Either.getOrThrow(decodeLocales(localesWith(() => {}))).consent).toBeUndefined()
    expect(locales.consent).toEqual(CONSENT)
    expect(locales.texts.consent_accept).toBe("✅ Согласен")
    expect(locales.texts.consent_needed.length).toBeLessThanOrEqual(200)
    for (const text of [locales.texts.forget_ask, locales.texts.forgotten, locales.texts.mydata_title]) {
      expect(parseTelegramHtml(text)).toMatchObject({ ok: true })
    }
  })

  it.each<readonly [string, Record<string, unknown>, RegExp]>([
    ["no https", { policy_url: "http://example.com/privacy" }, /^consent\.policy_url: expected an https:\/\/ URL$/],
    ["not a URL", { policy_url: "privacy" }, /^consent\.policy_url: expected an https:\/\/ URL$/],
    ["bad HTML", { text: "<b>Согласие" }, /^consent\.text: not valid Telegram HTML: Can't find end tag/],
    ["an empty version", { version: " " }, /^consent\.version: expected a non-empty version$/],
    ["an unknown placeholder", { text: "Согласие {name}" }, /^consent\.text: unknown placeholder \{name\}/]
  ])("a bad consent section (%s) is refused naming its JSON path", (_, change, line) => {
    const decoded = decodeLocales(localesWith((j) => (j.consent = { ...CONSENT, ...change })))
    expect(Either.isLeft(decoded) && decoded.left).toMatch(line)
  })
})

describe("the consent message", () => {
  it("fills {brand}, hashes the exact text shown, links the policy, and names the hash in its accept button", () => {
    const message = consentMessage(locales.consent!, locales.texts, "MONSTER CG")
    expect(message.text).toBe(
      "<b>Согласие на обработку персональных данных</b>\nЯ даю согласие MONSTER CG на обработку моих данных."
    )
    expect(message.sha256).toBe(createHash("sha256").update(message.text).digest("hex"))
    const [[policy], [accept]] = message.keyboard as [[{ url: string }], [{ text: string; callback_data: string }]]
    expect(policy.url).toBe("https://example.com/privacy")
    expect(accept.text).toBe("✅ Согласен")
    expect(parseButton(accept.callback_data)).toEqual({ _tag: "Consent", acceptKey: message.acceptKey.slice(0, 16) })
    // A new version of the same text is accepted by its own button only.
    const next = consentMessage({ ...locales.consent!, version: "2026-01-15" }, locales.texts, "MONSTER CG")
    expect(next.sha256).toBe(message.sha256)
    expect(next.acceptKey).not.toBe(message.acceptKey)
    expect(consentMessage(locales.consent!, locales.texts, "MONSTER AGENCY").sha256).not.toBe(message.sha256)
  })
})

describe("what cleans the managers' chats after a person is forgotten", () => {
  const chatOf = (brand: string) => (brand === "cg" ? -200 : -100)
  const fallback = record(
    "L1",
    "agency",
    Option.some({ _tag: "Fallback", chatId: Option.some(-100), messageId: 7, html: "" })
  )
  const inCrm = record("L2", "cg", Option.some({ _tag: "Crm" }), Option.some(9))
  const pending = record("L3", "agency", Option.none())
  const steps = erasureSteps({
    leads: [fallback, inCrm, pending],
    messages: [{ chatId: -100, messageId: 7 }, { chatId: -100, messageId: 8 }, { chatId: -200, messageId: 9 }],
    topics: [{ chatId: -100, threadId: 40 }],
    by: "person",
    adminChatId: -100,
    chatOf,
    timeZone: "UTC"
  })

  it("each message edited (a lead's keeps its brand and service, escaped), each topic renamed, no name left", () => {
    const edits = steps.filter((s) => s.kind === "edit")
    expect(edits.map((s) => [s.chatId, Option.getOrNull(s.targetId), s.text])).toEqual([
      [-100, 7, `${ERASED_HTML}\nMONSTER AGENCY · Привлечь &lt;клиентов&gt;`],
      [-100, 8, ERASED_HTML],
      [-200, 9, `${ERASED_HTML}\nMONSTER CG · Привлечь &lt;клиентов&gt;`]
    ])
    expect(steps.filter((s) => s.kind === "topic")).toEqual([
      { kind: "topic", chatId: -100, targetId: Option.some(40), text: ERASED_TOPIC }
    ])
    for (const step of steps) {
      expect(step.text).not.toMatch(/Ann|@ann|501/)
      if (step.kind !== "topic") expect(parseTelegramHtml(step.text)).toMatchObject({ ok: true })
    }
  })

  it("one notice a chat: the leads there, by where they stand (in the CRM, here, never delivered)", () => {
    const notices = steps.filter((s) => s.kind === "notice")
    expect(notices.map((s) => s.chatId)).toEqual([-100, -200])
    expect(notices[0]!.text).toContain("Были здесь")
    expect(notices[0]!.text).toContain("<code>L1</code>")
    expect(notices[0]!.text).toContain("Не дошли до людей и доставлены не будут:</b>\n• MONSTER AGENCY")
    expect(notices[0]!.text).not.toContain("L2")
    expect(notices[1]!.text).toContain(
      "<b>Его лиды в CRM — удалите их там:</b>\n• MONSTER CG · Привлечь &lt;клиентов&gt; · 07.12.2026"
    )
  })

  it("a lead delivered while its person was forgotten: its fallback cleaned and said; a CRM one said", () => {
    const late = lateSteps(fallback, fallback.outcome.pipe(Option.getOrThrow), -100)
    expect(late.map((s) => s.kind)).toEqual(["edit", "notice"])
    expect(lateSteps(inCrm, { _tag: "Crm" }, -200)[0]!.text).toContain("попал в CRM, пока данные человека удалялись")
  })
})

describe("/mydata and the consent log's export", () => {
  it("/mydata lists each lead, the phone, the counts and the consent, and how to delete it all", () => {
    const html = myDataHtml("<b>Что бот хранит о вас</b>", {
      telegramId: 501,
      leads: [record("L1", "agency", Option.some({ _tag: "Crm" }))],
      followUps: 2,
      phone: Option.some("+79991234567"),
      managersMessages: 1,
      starts: 3,
      consents: [{
        telegramId: 501,
        version: "2025-09-01",
        textSha256: "ab",
        acceptedAt: Date.UTC(2026, 11, 7, 8, 0),
        how: "button",
        withdrawnAt: Option.none()
      }]
    }, "UTC")
    expect(parseTelegramHtml(html)).toMatchObject({ ok: true })
    expect(html).toContain("• MONSTER AGENCY — Привлечь &lt;клиентов&gt;, 07.12.2026, 09:00 — передана в CRM агентства")
    expect(html).toContain("Телефон: +79991234567")
    expect(html).toContain("Ваших сообщений после заявок: 2")
    expect(html).toContain("• версия 2025-09-01: дано 07.12.2026, 08:00")
    expect(html.endsWith("Удалить всё это: /forget")).toBe(true)
  })

  it("the CSV quotes what needs quoting and writes times in UTC", () => {
    const csv = consentCsv([{
      telegramId: 501,
      version: "v1, \"final\"",
      textSha256: "ab",
      acceptedAt: Date.UTC(2026, 11, 7),
      how: "button",
      withdrawnAt: Option.some(Date.UTC(2026, 11, 8))
    }])
    expect(csv).toBe(
      "telegram_id,version,text_sha256,accepted_at,how,withdrawn_at\r\n" +
        "501,\"v1, \"\"final\"\"\",ab,2026-12-07T00:00:00.000Z,button,2026-12-08T00:00:00.000Z\r\n"
    )
  })
})
