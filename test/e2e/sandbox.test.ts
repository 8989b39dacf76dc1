import { existsSync, mkdirSync } from "node:fs"
import { chromium, type Browser, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Sandbox, startSandbox } from "../../sandbox/server.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** Clicks through the sandbox in a real headless Chromium, as a person and a manager would. */
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("npm run sandbox, in a real browser", () => {
  let sandbox: Sandbox
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    sandbox = await startSandbox(0, { entry: "source" })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
    })
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await sandbox?.stop()
  })

  it("a fallback with a smart edit, then the handled button", async () => {
    await page.goto(sandbox.url)
    await page.selectOption("#crm-mode", "refused")
    await expect.poll(() => page.inputValue("#crm-mode")).toBe("refused")

    await page.fill("#person-input", "/start agency")
    await page.press("#person-input", "Enter")
    await page.locator("#person-log button", { hasText: "📈 Привлечь клиентов" }).click()
    await page.locator("#person-log .msg", { hasText: "✅ Принято: Привлечь клиентов." }).waitFor()

    const fallback = page.locator("#admin-log .msg", { hasText: "[FALLBACK - CRM НЕДОСТУПНА]" })
    await fallback.waitFor()
    await expect.poll(() => fallback.innerText()).toContain("Причина: CRM-сервер недоступен")

    await page.fill("#person-input", "https://my-site.example")
    await page.press("#person-input", "Enter")
    await expect.poll(() => fallback.innerText(), { timeout: 10_000 }).toContain("Сообщение: https://my-site.example")
    expect(await fallback.innerText()).toContain("✅ ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!")
    expect(await fallback.innerText()).toContain("изменено ×1")

    await fallback.locator("button", { hasText: "✅ Внесено в CRM" }).click()
    await expect.poll(() => fallback.innerText(), { timeout: 10_000 }).toContain("Внесено в CRM: @sandbox_manager")
    expect(await fallback.locator("button").count()).toBe(0)

    await page.selectOption("#crm-mode", "ok")
    await page.locator("#person-log button", { hasText: "🔍 SEO-продвижение" }).click()
    await page.locator("#crm-log .crm", { hasText: "SEO-продвижение" }).waitFor()

    if (process.env.UPDATE_SCREENSHOT) {
      mkdirSync("docs", { recursive: true })
      await page.screenshot({ path: "docs/sandbox.png" })
    }
  }, 60_000)
})
