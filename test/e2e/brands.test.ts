import { afterEach, beforeEach, describe, expect, it } from "vitest"

import { galliard } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const scenarios = [
  {
    brand: "agency",
    name: "MONSTER AGENCY",
    button: "📈 Привлечь клиентов",
    title: "Привлечь клиентов",
    ask: "ссылку на ваш текущий сайт или соцсеть",
    followUp: "https://mycompany.com"
  },
  {
    brand: "cg",
    name: "MONSTER CG",
    button: "🤖 AI-видео",
    title: "AI-видео",
    ask: "ссылку на референсы",
    followUp: "https://youtube.com/watch?v=reference"
  },
  {
    brand: "express",
    name: "MONSTER EXPRESS",
    button: "💻 Сайт / Лендинг",
    title: "Сайт / Лендинг",
    ask: "техническое задание",
    followUp: "Нужен лендинг для продажи курсов"
  }
] as const

describe("the seed's three brand scenarios, CRM up", () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(() => h.stop())

  for (const s of scenarios) {
    it(`${s.brand}: deep link → buttons → lead in its CRM → follow-up to the admin chat`, async () => {
      const { telegram, crm } = h
      telegram.sendText(galliard, `/start ${s.brand}`)
      const menu = await telegram.waitFor("the brand menu", () => telegram.botMessages(galliard.id)[0])
      expect(menu.text).toContain(s.name)
      expect(menu.keyboard.flat().map((b) => b.text)).toContain(s.button)

      const query = telegram.tap(galliard, s.button)
      const confirmation = await telegram.waitFor("the confirmation", () => telegram.botMessages(galliard.id)[1])
      expect(telegram.answeredQueries.has(query)).toBe(true)
      expect(confirmation.text).toBe(
        `✅ Принято: ${s.title}.\n\n👤 Наш стратег свяжется с вами в Telegram в ближайшее время.\n\n` +
          confirmation.text.split("\n\n")[2]
      )
      expect(confirmation.text).toContain(s.ask)

      const lead = await telegram.waitFor("the CRM to get the lead", () => crm.accepted[0])
      expect(lead.path).toBe(`/api/webhook/${s.brand}/secret-test-token`)
      expect(lead.body).toMatchObject({
        lead_name: `Новый лид с Telegram: ${s.name}`,
        contact: { name: "Galliard", username: "@betterrman", telegram_id: galliard.id },
        source: "Telegram Bot",
        request_details: s.title
      })
      const leadId = (lead.body as { lead_id: string }).lead_id
      expect(lead.headers["idempotency-key"]).toBe(leadId)
      expect(telegram.admin).toHaveLength(0)

      telegram.sendText(galliard, s.followUp)
      const forwarded = await telegram.waitFor("the follow-up in the admin chat", () => telegram.admin[0])
      expect(forwarded.text).toBe(`📎 FOLLOW-UP от @betterrman (${s.brand.toUpperCase()}):\n\n${s.followUp}`)
      await telegram.waitFor("the thanks", () => telegram.botMessages(galliard.id)[2])
      expect(telegram.botMessages(galliard.id)[2]!.text).toContain("Спасибо")
      expect(crm.requests).toHaveLength(1)
    })
  }
})
