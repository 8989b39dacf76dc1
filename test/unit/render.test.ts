import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"

import { CrmConnectionError, CrmHttpStatusError, CrmTimeoutError, CrmUnknownError } from "../../src/crm/CrmError.js"
import type { FollowUp, Lead } from "../../src/lead/Lead.js"
import { attemptErrors } from "../../src/managers/commands/pendingReport.js"
import { crmAttemptOf } from "../../src/managers/views/attemptWording.js"
import { cardHtml, fallbackHtml, followUpHeader, smartEditHtml } from "../../src/managers/views/render.js"
import { escapeHtml, splitText, visibleText } from "../../src/telegram/escapeHtml.js"
import { parseTelegramHtml } from "../../src/telegram/parseTelegramHtml.js"

const anyText = fc.string({
  unit: fc.oneof(fc.constantFrom("<", ">", "&", "\"", "'", "&amp;", "<b>", "</i>", "\n"), fc.fullUnicode()),
  maxLength: 60
})

const leadFor = (fullName: string, username: Option.Option<string>, title = "Привлечь клиентов"): Lead => ({
  id: "l1",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title,
  contact: { telegramId: 42, fullName, username },
  createdAt: 0,
  tapId: "q1",
  campaign: Option.none()
})
const followUpOf = (text: string): FollowUp => ({
  leadId: "l1",
  seq: 1,
  chatId: 42,
  messageId: 7,
  media: Option.none(),
  text,
  phone: false
})

describe("every user-supplied string renders as valid Telegram HTML, shown literally", () => {
  it.prop(
    "fallback message",
    [anyText, fc.option(anyText, { nil: undefined }), anyText],
    ([name, username, detail]) => {
      const html = fallbackHtml(
        leadFor(name, Option.fromNullable(username)),
        new CrmUnknownError({ detail, cause: null }),
        {}
      )
      const parsed = parseTelegramHtml(html)
      expect(parsed).toMatchObject({ ok: true })
      if (!parsed.ok) return
      expect(parsed.text).toContain(`Имя: ${name}\n`)
      expect(parsed.text).toContain(detail)
      if (username !== undefined) expect(parsed.text).toContain(`Контакт: @${username}\n`)
      expect(parsed.text).not.toContain("@None")
    }
  )

  it.prop("smart edit and follow-up header", [anyText, anyText, anyText], ([name, first, second]) => {
    const original = fallbackHtml(
      leadFor(name, Option.none()),
      new CrmHttpStatusError({ status: 500, bodyExcerpt: "" }),
      {}
    )
    const edited = parseTelegramHtml(smartEditHtml(original, [followUpOf(first), followUpOf(second)]))
    expect(edited).toMatchObject({ ok: true })
    if (edited.ok) expect(edited.text.endsWith(`Сообщение: ${first}\nСообщение: ${second}`)).toBe(true)
    const header = parseTelegramHtml(followUpHeader(leadFor(name, Option.none())))
    expect(header).toMatchObject({ ok: true })
  })

  it.prop("escapeHtml round-trips through Telegram's parser", [anyText], ([text]) => {
    expect(parseTelegramHtml(escapeHtml(text))).toEqual({ ok: true, text })
    expect(visibleText(escapeHtml(text))).toBe(text)
  })

  it("the seed's case: no username links the person by id", () => {
    const html = fallbackHtml(
      leadFor("<b>Boss & Co</b>", Option.none()),
      new CrmConnectionError({ detail: "refused" }),
      {}
    )
    expect(html).toContain(
      `<b>Контакт:</b> <a href="tg://user?id=42">&lt;b&gt;Boss &amp; Co&lt;/b&gt;</a> (без username)`
    )
    expect(html).toContain("<b>Имя:</b> &lt;b&gt;Boss &amp; Co&lt;/b&gt;")
  })
})

describe("where a lead came from", () => {
  const withCampaign = { ...leadFor("Anna", Option.none()), campaign: Option.some("vk_spring") }
  const error = new CrmConnectionError({ detail: "refused" })

  it("a campaign's line shows its code and its UTM source / medium / campaign, in the fallback and the card", () => {
    const utm = { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring26", utm_content: "video1" }
    const line = "<b>Источник:</b> vk_spring (vk / cpc / spring26)"
    expect(fallbackHtml(withCampaign, error, utm).split("\n")).toContain(line)
    expect(cardHtml(withCampaign, utm).split("\n")).toContain(line)
  })

  it("an unlisted campaign shows its code alone; no campaign, no line", () => {
    expect(fallbackHtml(withCampaign, error, {}).split("\n")).toContain("<b>Источник:</b> vk_spring")
    expect(fallbackHtml(leadFor("Anna", Option.none()), error, {})).not.toContain("Источник")
    expect(cardHtml(leadFor("Anna", Option.none()), {})).not.toContain("Источник")
  })
})

describe("splitText", () => {
  it.prop("pieces fit, keep every character (but the line breaks they were cut at), and never halve a surrogate pair", [
    fc.string({ unit: fc.oneof(fc.fullUnicode(), fc.constant("\n")), maxLength: 3000 }),
    fc.integer({ min: 2, max: 500 })
  ], ([text, max]) => {
    const pieces = splitText(text, max)
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(max)
      expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/)
    }
    expect(pieces.join("").replace(/\n/g, "")).toBe(text.replace(/\n/g, ""))
  })
})

describe("a failed round, as /pending words it for managers", () => {
  it("the CRM's status and the managers' chat's error in words, rows kept before the status in words too", () => {
    const round = (error: string, admin?: string) =>
      attemptErrors({ at: 0, error, adminError: Option.fromNullable(admin) })
    expect(round(crmAttemptOf(new CrmHttpStatusError({ status: 500, bodyExcerpt: "" })))).toBe("CRM ответила 500")
    expect(round(crmAttemptOf(new CrmTimeoutError({ timeoutMs: 10_000 })), "TelegramError 500")).toBe(
      "CRM не ответила вовремя; чат менеджеров: ошибка Telegram 500"
    )
    expect(round("CrmConnectionError", "TelegramError network")).toBe(
      "CRM недоступна (ошибка соединения); чат менеджеров: нет связи с Telegram"
    )
    expect(round("CrmHttpStatusError")).toBe("CRM ответила ошибкой")
  })
})
