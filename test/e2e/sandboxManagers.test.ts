import { existsSync } from "node:fs"

import { type Browser, chromium, type Locator, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Sandbox, startSandbox } from "../../sandbox/server.js"
import { localesFileWith } from "../support/locales.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
// In CI a missing browser is a failure, not a skip (.ci/run installs it).
const skipped = !existsSync(CHROMIUM) && !process.env.CI
const WHY = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`

/** What docs/managers.md shows: a message, or the page with the messages named in view. */
const shoot = async (what: Locator | Page, name: string, inView: ReadonlyArray<Locator> = []) => {
  if (!process.env.UPDATE_SCREENSHOT) return
  for (const message of inView) await message.scrollIntoViewIfNeeded()
  await what.screenshot({ path: `docs/managers-${name}.png` })
}

/**
 * The managers' speed tools in the sandbox's page, as a manager uses them: 🙋 Беру, the reminder of a lead nobody
 * took, a template, /stats' managers. `UPDATE_SCREENSHOT=1` writes the pictures docs/managers.md shows.
 */
describe.skipIf(skipped)(
  `the managers' speed tools in the sandbox, in a real browser${skipped ? ` (${WHY})` : ""}`,
  () => {
    let sandbox: Sandbox
    let browser: Browser
    let page: Page

    beforeAll(async () => {
      const locales = localesFileWith((json) => {
        json.profiles.agency.sla_minutes = 1
        json.profiles.agency.templates = {
          price: "{name}, цены {brand} на «{service}»: <b>от 50 000 ₽</b>. Когда удобно созвониться?"
        }
      })
      sandbox = await startSandbox(0, { entry: "source", localesFile: locales })
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
      })
      page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
    }, 60_000)

    afterAll(async () => {
      await browser?.close()
      await sandbox?.stop()
    })

    it(
      "take, a reminder after agency's sla_minutes, a template through the relay, and who answered in /stats",
      async () => {
        await page.goto(sandbox.url)
        await page.selectOption("#crm-mode", "refused")
        await expect.poll(() => page.inputValue("#crm-mode")).toBe("refused")
        await page.fill("#person-input", "/start agency")
        await page.press("#person-input", "Enter")
        await page.locator("#person-log button", { hasText: "📈 Привлечь клиентов" }).click()
        const first = page.locator("#admin-log .msg", { hasText: "Запрос: Привлечь клиентов" })
        await first.waitFor({ timeout: 15_000 })
        // A second lead nobody takes: its reminder comes a minute after it (sla_minutes: 1).
        await page.locator("#person-log button", { hasText: "🔍 SEO-продвижение" }).last().click()
        const untaken = page.locator("#admin-log .msg", { hasText: "Запрос: SEO-продвижение" })
        await untaken.waitFor({ timeout: 15_000 })

        await first.locator("button", { hasText: "🙋 Беру" }).click()
        await expect.poll(() => first.innerText(), { timeout: 10_000 }).toMatch(/Взял\(а\): .+, \d\d:\d\d/)
        expect(await first.locator("button", { hasText: "🙋 Беру" }).count()).toBe(0)
        await shoot(first, "take")

        await first.locator("button.reply").click()
        await page.fill("#admin-input", "/t price")
        await page.press("#admin-input", "Enter")
        const template = page.locator("#person-log .msg", { hasText: "на «Привлечь клиентов»" })
        await template.waitFor({ timeout: 10_000 }).catch(async (e) => {
          console.log("ADMIN", await page.locator("#admin-log").innerText())
          console.log("PERSON", await page.locator("#person-log").innerText())
          console.log("BOT", (await page.locator("#bot-log").innerText()).slice(-3000))
          throw e
        })
        expect(await template.locator("b", { hasText: "от 50 000 ₽" }).count()).toBe(1)
        await expect.poll(() => page.locator("#admin-log .msg.out", { hasText: "/t price" }).innerText(), {
          timeout: 10_000
        }).toContain("👍")
        await shoot(page, "template", [page.locator("#admin-log .msg.out", { hasText: "/t price" }), template])

        const reminder = page.locator("#admin-log .msg", { hasText: "⏰ Лид ждёт ответа 1 мин" })
        await reminder.waitFor({ timeout: 90_000 })
        expect(await reminder.innerText()).toContain("MONSTER AGENCY · SEO-продвижение")
        await shoot(page, "reminder", [reminder])

        await page.fill("#admin-input", "/stats")
        await page.press("#admin-input", "Enter")
        const stats = page.locator("#admin-log .msg", { hasText: "📊 Статистика" }).last()
        await stats.waitFor({ timeout: 20_000 })
        await expect.poll(() => stats.innerText()).toMatch(/Менеджеры/)
        await shoot(stats, "stats")
      },
      180_000
    )
  }
)
