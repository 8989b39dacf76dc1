import { afterEach, beforeEach, describe, expect, it } from "vitest"

import { galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

describe("the funnel answers everything and makes one lead per intent", () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(() => h.stop())

  it("/start with no or an unknown parameter shows the brand chooser; a brand button opens its menu", async () => {
    const { telegram } = h
    telegram.sendText(maria, "/start")
    const chooser = await telegram.waitFor("chooser", () => telegram.botMessages(maria.id)[0])
    expect(chooser.keyboard.flat().map((b) => b.text)).toEqual(["MONSTER AGENCY", "MONSTER CG", "MONSTER EXPRESS"])
    telegram.sendText(maria, "/start nonsense")
    await telegram.waitFor("second chooser", () => telegram.botMessages(maria.id)[1])
    expect(telegram.botMessages(maria.id)[1]!.text).toBe(chooser.text)
    const query = telegram.tap(maria, "MONSTER CG")
    const menu = await telegram.waitFor("cg menu", () => telegram.botMessages(maria.id)[2])
    expect(telegram.answeredQueries.has(query)).toBe(true)
    expect(menu.keyboard.flat().map((b) => b.text)).toContain("🤖 AI-видео")
  })

  it("tapping the same service again makes no second lead, and the tap is still answered", async () => {
    const { telegram, crm } = h
    telegram.sendText(galliard, "/start agency")
    await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0])
    telegram.tap(galliard, "📈 Привлечь клиентов")
    await telegram.waitFor("confirmation", () => telegram.botMessages(galliard.id)[1])
    const second = telegram.tap(galliard, "📈 Привлечь клиентов")
    await telegram.waitFor("second answer", () => telegram.answeredQueries.has(second))
    expect(telegram.answeredQueries.get(second)).toBe("✅ Эта заявка уже принята.")
    // A different service is a different intent: a second lead.
    telegram.tap(galliard, "🎯 Таргетированная реклама")
    await telegram.waitFor("two leads in the CRM", () => crm.accepted.length === 2)
    expect(crm.accepted.map((r) => (r.body as { request_details: string }).request_details)).toEqual([
      "Привлечь клиентов",
      "Таргетированная реклама"
    ])
    expect(telegram.botMessages(galliard.id).filter((m) => m.text.startsWith("✅ Принято"))).toHaveLength(2)
  })

  it("stale or unknown button data is answered and a fresh menu is shown", async () => {
    const { telegram, crm } = h
    telegram.sendText(galliard, "/start agency")
    const menu = await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0])
    const removed = telegram.tapData(galliard, menu.message_id, "lead:agency:no_such_service")
    const fresh = await telegram.waitFor("fresh agency menu", () => telegram.botMessages(galliard.id)[1])
    expect(telegram.answeredQueries.get(removed)).toBe("Это меню устарело — вот актуальное.")
    expect(fresh.keyboard.flat().map((b) => b.text)).toContain("📈 Привлечь клиентов")
    const garbage = telegram.tapData(galliard, menu.message_id, "\u0000garbage")
    const chooser = await telegram.waitFor("chooser", () => telegram.botMessages(galliard.id)[2])
    expect(telegram.answeredQueries.get(garbage)).toBe("Это меню устарело — вот актуальное.")
    expect(chooser.keyboard.flat()).toHaveLength(3)
    expect(crm.requests).toHaveLength(0)
  })

  it("a message before any lead gets the chooser, never silence", async () => {
    const { telegram } = h
    telegram.sendText(maria, "привет")
    const chooser = await telegram.waitFor("chooser", () => telegram.botMessages(maria.id)[0])
    expect(chooser.keyboard.flat()).toHaveLength(3)
    expect(telegram.admin).toHaveLength(0)
  })

  it("media follow-ups are copied to the admin chat with who sent them", async () => {
    const { telegram, crm } = h
    telegram.sendText(maria, "/start cg")
    await telegram.waitFor("menu", () => telegram.botMessages(maria.id)[0])
    telegram.tap(maria, "🤖 AI-видео")
    await telegram.waitFor("crm", () => crm.accepted[0])
    const photo = telegram.sendMedia(maria, "photo", "референс <1>")
    const copy = await telegram.waitFor("copied photo", () => telegram.admin[0])
    expect(copy.copyOf).toEqual({ chatId: maria.id, messageId: photo.message_id })
    expect(copy.media).toBe("photo")
    expect(copy.text).toBe("📎 FOLLOW-UP от @maria_iv (CG):\n\nреференс <1>")
    telegram.sendMedia(maria, "voice")
    const voice = await telegram.waitFor("copied voice", () => telegram.admin[1])
    expect(voice.media).toBe("voice")
    expect(voice.text).toBe("📎 FOLLOW-UP от @maria_iv (CG):")
  })

  it("a media follow-up on a fallback lead is copied as a reply and noted in the smart edit", async () => {
    const { telegram, crm } = h
    await crm.setMode({ kind: "status", status: 503 })
    telegram.sendText(maria, "/start express")
    await telegram.waitFor("menu", () => telegram.botMessages(maria.id)[0])
    telegram.tap(maria, "💻 Сайт / Лендинг")
    const fallback = await telegram.waitFor("fallback", () => telegram.admin[0])
    telegram.sendMedia(maria, "document", "ТЗ.pdf")
    await telegram.waitFor("edit", () => fallback.edits.length === 1)
    const copy = telegram.admin[1]!
    expect(copy.replyTo).toBe(fallback.message_id)
    expect(copy.media).toBe("document")
    expect(fallback.text.endsWith("📎 FOLLOW-UP:\nСообщение: [документ] ТЗ.pdf")).toBe(true)
  })
})
