import { afterEach, describe, expect, it } from "vitest"

import type { SimMessage, SimUser } from "../../sim/TelegramSim.js"
import { startOnLocales } from "../support/botProcess.js"
import { localesFileWith, type LocalesJson } from "../support/locales.js"
import { galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const anna: SimUser = { id: 9001, first_name: "Анна", username: "anna" }
const boris: SimUser = { id: 9002, first_name: "Борис" }
const SERVICE = "📈 Привлечь клиентов"

/** The shipped locales with agency's reminders after a minute and one template. */
const locales = () =>
  localesFileWith((j) => {
    j.profiles.agency.sla_minutes = 1
    j.profiles.agency.templates = { price: "{name}, прайс {brand} на «{service}»: <b>от 50 000 ₽</b>" }
  })

describe("speed to the first answer, the real bot against the stand-ins", () => {
  let h: Harness
  afterEach(() => h.stop())

  const fallbackFor = async (person: SimUser): Promise<SimMessage> => {
    h.telegram.sendText(person, "/start agency")
    await h.telegram.waitFor("the menu", () => h.telegram.botMessages(person.id).find((m) => m.keyboard.length > 0))
    h.telegram.tap(person, SERVICE)
    return h.telegram.waitFor(
      "the fallback",
      () => h.telegram.admin.find((m) => m.text.includes("FALLBACK") && m.text.includes(String(person.id)))
    )
  }
  const takeOf = (message: SimMessage) => message.keyboard.flat().find((b) => b.text === "🙋 Беру")?.callback_data

  it(
    "🙋 Беру: the line and the button gone; a second press gets the pop-up; a reply takes an untaken lead",
    async () => {
      h = await startHarness({ LOCALES_PATH: locales(), ADMIN_TIMEZONE: "UTC" })
      await h.crm.setMode({ kind: "refused" })
      const first = await fallbackFor(galliard)
      expect(first.keyboard.flat().map((b) => b.text)).toEqual(["✅ Внесено в CRM", "🙋 Беру"])
      const take = takeOf(first)!
      const press = h.telegram.tapData(anna, first.message_id, take, h.telegram.adminChatId)
      await h.telegram.waitFor("the take shown", () => first.edits.length === 1)
      expect(h.telegram.answeredQueries.get(press)).toBe("🙋 Лид ваш.")
      expect(first.text).toMatch(/Взял\(а\): Анна \(@anna\), \d\d:\d\d$/)
      expect(first.keyboard.flat().map((b) => b.text)).toEqual(["✅ Внесено в CRM"])
      // Boris's client still shows the button he presses.
      const late = h.telegram.tapData(boris, first.message_id, take, h.telegram.adminChatId)
      await h.telegram.waitFor("the pop-up", () => h.telegram.answeredQueries.has(late))
      expect(h.telegram.answeredQueries.get(late)).toBe("Лид уже взял(а) Анна")

      const second = await fallbackFor(maria)
      h.telegram.sendText(boris, "Здравствуйте! Чем помочь?", h.telegram.adminChatId, second.message_id)
      await h.telegram.waitFor("taken by the replier", () => second.text.includes("Взял(а): Борис"))
      expect(second.keyboard.flat().map((b) => b.text)).toEqual(["✅ Внесено в CRM"])
    },
    60_000
  )

  it(
    "/t: a template to the person, filled and escaped; /t alone lists the keys; /stats counts who answered",
    async () => {
      h = await startHarness({ LOCALES_PATH: locales() })
      await h.crm.setMode({ kind: "refused" })
      const fallback = await fallbackFor({ ...galliard, first_name: "<Гал>" })
      const list = h.telegram.sendText(anna, "/t", h.telegram.adminChatId, fallback.message_id)
      await h.telegram.waitFor("the keys", () => h.telegram.admin.find((m) => m.replyTo === list.message_id))
      expect(h.telegram.admin.find((m) => m.replyTo === list.message_id)!.text).toBe(
        "Шаблоны MONSTER AGENCY: price. Ответьте /t ключ."
      )
      const t = h.telegram.sendText(anna, "/t price", h.telegram.adminChatId, fallback.message_id)
      const sent = await h.telegram.waitFor(
        "the template",
        () => h.telegram.botMessages(galliard.id).find((m) => m.text.includes("прайс"))
      )
      expect(sent.html).toBe("&lt;Гал&gt;, прайс MONSTER AGENCY на «Привлечь клиентов»: <b>от 50 000 ₽</b>")
      await h.telegram.waitFor("👍", () => h.telegram.reactions.get(`${h.telegram.adminChatId}:${t.message_id}`))
      h.telegram.sendText(anna, "/stats", h.telegram.adminChatId)
      const stats = await h.telegram.waitFor("/stats", () => h.telegram.admin.find((m) => m.text.startsWith("📊")))
      expect(stats.text).toMatch(/Менеджеры\n\s+Взял\s+Ответ\s+Время\nАнна \(@anna\)\n\s+1\s+1\s+\d+с/)
    },
    60_000
  )

  it("a reminder after sla_minutes (1), exactly one across a restart between the lead and it", async () => {
    h = await startHarness({ LOCALES_PATH: locales() })
    await h.crm.setMode({ kind: "refused" })
    const fallback = await fallbackFor(galliard)
    await h.restart()
    const reminder = await h.telegram.waitFor(
      "the reminder",
      () => h.telegram.admin.find((m) => m.text.startsWith("⏰")),
      75_000
    )
    expect(reminder.text).toBe(`⏰ Лид ждёт ответа 1 мин: MONSTER AGENCY · Привлечь клиентов · ${galliard.first_name}`)
    expect(reminder.replyTo).toBe(fallback.message_id)
    // The second is due a minute after the first: a restart meanwhile sends the first no more.
    await h.restart()
    h.telegram.sendText(anna, "/pending", h.telegram.adminChatId)
    await h.telegram.waitFor("/pending", () => h.telegram.admin.find((m) => m.text.includes("Ждут внесения")))
    expect(h.telegram.admin.filter((m) => m.text.startsWith("⏰"))).toHaveLength(1)
  }, 120_000)
})

describe("a bad sla_minutes or template, the bot as a process", () => {
  it.each<readonly [string, (j: LocalesJson) => void, string]>([
    [
      "sla_minutes 0",
      (j) => (j.profiles.agency.sla_minutes = 0),
      "profiles.agency.sla_minutes: expected whole minutes"
    ],
    ["sla_minutes 1441", (j) => (j.profiles.agency.sla_minutes = 1441), "profiles.agency.sla_minutes: expected whole"],
    ["a key with capitals", (j) => (j.profiles.agency.templates = { Price: "x" }), "profiles.agency.templates.Price:"],
    ["bad HTML", (j) => (j.profiles.agency.templates = { price: "<b>x" }), "templates.price: not valid Telegram HTML"],
    [
      "an unknown placeholder",
      (j) => (j.profiles.agency.templates = { price: "{nope}" }),
      "profiles.agency.templates.price: unknown placeholder {nope}"
    ]
  ])("%s: start-up stops with one line naming its JSON path", async (_, change, reason) => {
    const locales = localesFileWith(change)
    const { exitCode, lines, polled } = await startOnLocales(locales)
    expect(exitCode).toBe(1)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`Cannot start: ${locales}: `)
    expect(lines[0]).toContain(reason)
    expect(polled).toBe(false)
  }, 60_000)
})
