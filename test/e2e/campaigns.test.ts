import { PNG } from "pngjs"
import { afterEach, describe, expect, it } from "vitest"

import type { SimUser } from "../../sim/TelegramSim.js"
import { localesFileWith } from "../support/locales.js"
import { boss, galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const manager: SimUser = { id: 9001, first_name: "Анна", username: "anna_manager" }
const opener: SimUser = { id: 504, first_name: "Просто", username: "just_looking" }
const service = "📈 Привлечь клиентов"

/** The shipped locales with one campaign listed (vk_spring), as a marketer would add it. */
const localesWithCampaigns = () =>
  localesFileWith((j) => {
    j.campaigns = {
      vk_spring: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring26", utm_content: "video1" }
    }
  })

describe("campaign deep links, the real bot against the stand-ins", () => {
  let h: Harness
  afterEach(() => h.stop())
  const start = async (env: Record<string, string> = {}) => {
    h = await startHarness({ LOCALES_PATH: localesWithCampaigns(), ...env })
    return h
  }

  /** The person opens the link and taps the first service; the bot's message count to wait for after. */
  const leadFrom = async (person: SimUser, link: string, button = service) => {
    h.telegram.sendText(person, `/start ${link}`)
    await h.telegram.waitFor(
      "the menu",
      () => h.telegram.botMessages(person.id).find((m) => m.keyboard.flat().some((b) => b.text === button))
    )
    h.telegram.tap(person, button)
    await h.telegram.waitFor(
      "the confirmation",
      () => h.telegram.botMessages(person.id).find((m) => m.text.startsWith("✅ Принято"))
    )
  }
  const crmBodyOf = (person: SimUser) =>
    h.telegram.waitFor(
      "the CRM to have the lead",
      () =>
        h.crm.accepted.map((r) => r.body as Record<string, unknown>).find((b) =>
          (b.contact as { telegram_id: number }).telegram_id === person.id
        ),
      10_000
    )

  it("start=agency-vk_spring: the CRM gets the campaign and its UTM; a fallback shows the Источник line", async () => {
    await start()
    await leadFrom(galliard, "agency-vk_spring")
    expect(await crmBodyOf(galliard)).toMatchObject({
      lead_name: "Новый лид с Telegram: MONSTER AGENCY",
      source: "Telegram Bot",
      campaign: "vk_spring",
      utm: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring26", utm_content: "video1" }
    })
    await h.crm.setMode({ kind: "status", status: 500 })
    await leadFrom(maria, "agency-vk_spring")
    const fallback = await h.telegram.waitFor(
      "the fallback",
      () => h.telegram.admin.find((m) => m.text.includes("FALLBACK"))
    )
    expect(fallback.text.split("\n")).toContain("Источник: vk_spring (vk / cpc / spring26)")
  })

  it("an unlisted campaign is recorded with no UTM; a bad parameter is no campaign and no error", async () => {
    await start({ LOG_LEVEL: "Debug" })
    await leadFrom(galliard, "agency-tg_post")
    expect(await crmBodyOf(galliard)).toMatchObject({ campaign: "tg_post", utm: {} })
    await leadFrom(maria, "agency-<x>")
    const body = await crmBodyOf(maria)
    expect(body).toMatchObject({ campaign: null, utm: {} })
    expect(h.telegram.botMessages(maria.id)[0]!.text).toContain("MONSTER AGENCY")
    expect(h.logs.some((l) => l.includes("outside the deep-link grammar"))).toBe(true)
    expect(h.logs.filter((l) => /level=(ERROR|WARN)/.test(l))).toEqual([])
  })

  it("last touch: the latest /start's campaign; the chooser keeps a campaign of an unknown brand", async () => {
    await start()
    h.telegram.sendText(galliard, "/start agency-first_post")
    await h.telegram.waitFor("the first menu", () => h.telegram.botMessages(galliard.id)[0])
    await leadFrom(galliard, "agency-second_post")
    expect(await crmBodyOf(galliard)).toMatchObject({ campaign: "second_post" })

    h.telegram.sendText(maria, "/start promo-vk_spring")
    const chooser = await h.telegram.waitFor("the chooser", () => h.telegram.botMessages(maria.id)[0])
    expect(chooser.keyboard.flat().map((b) => b.text)).toContain("MONSTER CG")
    h.telegram.tap(maria, "MONSTER CG")
    await h.telegram.waitFor("the cg menu", () => h.telegram.botMessages(maria.id)[1])
    h.telegram.tap(maria, "🤖 AI-видео")
    expect(await crmBodyOf(maria)).toMatchObject({ campaign: "vk_spring", request_details: "AI-видео" })
  })

  it("/stats after a scripted run: the exact numbers, and a chart that is a PNG", async () => {
    await start()
    await leadFrom(galliard, "agency-vk_spring")
    await crmBodyOf(galliard)
    await h.crm.setMode({ kind: "status", status: 500 })
    await leadFrom(maria, "agency-vk_spring")
    const fallback = await h.telegram.waitFor(
      "the fallback",
      () => h.telegram.admin.find((m) => m.text.includes("FALLBACK"))
    )
    await h.crm.setMode({ kind: "ok" })
    await leadFrom(boss, "cg", "🤖 AI-видео")
    await crmBodyOf(boss)
    h.telegram.sendText(opener, "/start agency-vk_spring")
    await h.telegram.waitFor("the opener's menu", () => h.telegram.botMessages(opener.id)[0])
    // A manager answers Maria through the bot: her lead has a first answer.
    h.telegram.sendText(manager, "Здравствуйте! Когда удобно созвониться?", h.telegram.adminChatId, fallback.message_id)
    await h.telegram.waitFor(
      "the answer to reach Maria",
      () => h.telegram.botMessages(maria.id).find((m) => m.copyOf !== undefined || m.text.includes("созвониться"))
    )
    // Its first answer is recorded before the 👍 that tells the manager it arrived.
    await h.telegram.waitFor("the 👍", () => h.telegram.reactions.size > 0)

    const before = h.telegram.admin.length
    h.telegram.sendText(manager, "/stats", h.telegram.adminChatId)
    const photo = await h.telegram.waitFor(
      "the chart",
      () => h.telegram.admin.slice(before).find((m) => m.photo),
      20_000
    )
    const table = h.telegram.admin.slice(before).find((m) => m.text.startsWith("📊"))!
    const lines = table.text.split("\n")
    expect(lines[0]).toMatch(/^📊 Статистика за 7 дн\. \(\d\d\.\d\d–\d\d\.\d\d\)$/)
    expect(lines.slice(1, 10)).toEqual([
      " Откр Лиды Доля  CRM Вруч Ждут Ответ",
      "MONSTER AGENCY",
      expect.stringMatching(/^ {4}3 {4}2 {2}67% {4}1 {4}1 {4}0 +\d+с$/),
      "· vk_spring",
      expect.stringMatching(/^ {4}3 {4}2 {2}67% {4}1 {4}1 {4}0 +\d+с$/),
      "MONSTER CG",
      "    1    1 100%    1    0    0     —",
      "MONSTER EXPRESS",
      "    0    0    —    0    0    0     —"
    ])
    expect(photo.text).toMatch(/^Лиды по дням за 7 дн\./)
    const png = PNG.sync.read(Buffer.from(photo.photo!))
    expect([png.width, png.height]).toEqual([1280, 800])
    // Drawn: some pixels are neither white nor grey (the bars' colours).
    const coloured = Array.from({ length: png.width * png.height }, (_, i) => i * 4).filter((at) => {
      const [r, g, b] = [png.data[at]!, png.data[at + 1]!, png.data[at + 2]!]
      return Math.max(r, g, b) - Math.min(r, g, b) > 60
    })
    expect(coloured.length).toBeGreaterThan(1000)
  }, 60_000)

  it("/stats while the admin chat fails is answered after it recovers; a wrong argument gets the usage", async () => {
    await start()
    h.telegram.adminFault = { kind: "500", times: 2 }
    h.telegram.sendText(manager, "/stats today", h.telegram.adminChatId)
    const table = await h.telegram.waitFor(
      "the table",
      () => h.telegram.admin.find((m) => m.text.startsWith("📊")),
      20_000
    )
    expect(table.text).toMatch(/^📊 Статистика за сегодня \(\d\d\.\d\d\)/)
    await h.telegram.waitFor("the chart", () => h.telegram.admin.find((m) => m.photo), 20_000)
    await h.telegram.waitFor(
      "the log of it",
      () => h.logs.some((l) => l.includes("/stats answered after the admin chat recovered"))
    )
    h.telegram.sendText(manager, "/stats forever", h.telegram.adminChatId)
    const usage = await h.telegram.waitFor(
      "the usage",
      () => h.telegram.admin.find((m) => m.text.startsWith("Использование"))
    )
    expect(usage.text).toContain("/stats 30")
  }, 60_000)
})
