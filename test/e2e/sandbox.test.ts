import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Sandbox, startSandbox } from "../../sandbox/server.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { CONSENT, localesFileWith } from "../support/locales.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
// In CI a missing browser is a failure, not a skip (.ci/run installs it).
const skipped = !existsSync(CHROMIUM) && !process.env.CI
const WHY = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
if (skipped) console.warn(`test/e2e/sandbox.test.ts ${WHY}`)

/** Clicks through the sandbox in a real headless Chromium, as a person and a manager would. */
describe.skipIf(skipped)(`npm run sandbox, in a real browser${skipped ? ` (${WHY})` : ""}`, () => {
  let sandbox: Sandbox
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    sandbox = await startSandbox(0, { entry: "source" })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
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
    // Telegram HTML renders as in Telegram: the welcome's <b> is bold, not "<b>" in the text.
    await page.locator("#person-log .msg b", { hasText: "MONSTER AGENCY" }).waitFor()
    expect(await page.locator("#person-log").innerText()).not.toContain("<b>")
    await page.locator("#person-log button", { hasText: "📈 Привлечь клиентов" }).click()
    await page.locator("#person-log .msg", { hasText: "✅ Принято: Привлечь клиентов." }).waitFor()
    // The same button again: no second lead, and the pop-up Telegram would show.
    await page.locator("#person-log button", { hasText: "📈 Привлечь клиентов" }).click()
    await expect.poll(() => page.locator("#person-popup").innerText()).toBe("✅ Эта заявка уже принята.")
    // …for a few seconds, as in Telegram: then it is gone, and a reload does not bring it back.
    await expect.poll(() => page.isHidden("#person-popup"), { timeout: 8_000 }).toBe(true)
    await page.reload()
    await page.locator("#person-log .msg", { hasText: "✅ Принято: Привлечь клиентов." }).waitFor()
    expect(await page.isHidden("#person-popup")).toBe(true)

    const fallback = page.locator("#admin-log .msg", { hasText: "[FALLBACK - CRM НЕДОСТУПНА]" })
    await fallback.waitFor()
    await expect.poll(() => fallback.innerText()).toContain("Причина: CRM-сервер недоступен")
    expect(await fallback.locator("b", { hasText: "Причина:" }).count()).toBe(1)
    expect(await fallback.locator("i", { hasText: "Требуется ручное внесение." }).count()).toBe(1)

    await page.fill("#person-input", "https://my-site.example")
    await page.press("#person-input", "Enter")
    await expect.poll(() => fallback.innerText(), { timeout: 10_000 }).toContain("Сообщение: https://my-site.example")
    expect(await fallback.innerText()).toContain("✅ ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!")
    expect(await fallback.innerText()).toContain("изменено ×1")

    await fallback.locator("button", { hasText: "✅ Внесено в CRM" }).click()
    await expect.poll(() => fallback.innerText(), { timeout: 10_000 }).toContain("Внесено в CRM: @sandbox_manager")
    // Entered is not answered: only "🙋 Беру" stays, until somebody takes the lead.
    expect(await fallback.locator(".keyboard button").allInnerTexts()).toEqual(["🙋 Беру"])

    // The admin chat fails too: the lead waits in the outbox, in view, until it recovers.
    await page.selectOption("#admin-fault", "500")
    await expect.poll(() => page.inputValue("#admin-fault")).toBe("500")
    await page.locator("#person-log button", { hasText: "🎯 Таргетированная реклама" }).last().click()
    const outbox = page.locator("#outbox")
    await expect.poll(() => outbox.innerText(), { timeout: 10_000 }).toContain(
      "MONSTER AGENCY · Таргетированная реклама"
    )
    expect(await outbox.innerText()).toMatch(/Outbox: 1 lead waits for a human/)
    // Each round is one attempt, with the CRM's error and the admin chat's.
    await expect.poll(() => outbox.innerText(), { timeout: 10_000 }).toMatch(
      /\d+ failed attempts, last: CRM: Crm\w+Error( \d+)?, admin chat: TelegramError 500/
    )
    // The bot's own ERROR for it is on the page too, as an operator would read it.
    await expect.poll(() => page.locator("#bot-log").innerText(), { timeout: 10_000 }).toMatch(
      /ERROR.*fallback failed too, the lead stays pending and will be retried/
    )
    await page.selectOption("#admin-fault", "ok")
    await page.locator("#admin-log .msg", { hasText: "Запрос: Таргетированная реклама" }).waitFor({ timeout: 15_000 })
    await expect.poll(() => outbox.isHidden(), { timeout: 5_000 }).toBe(true)

    // A manager replies to the fallback: the person gets it, the manager's message a 👍.
    const target = page.locator("#admin-log .msg", { hasText: "Запрос: Таргетированная реклама" }).last()
    await target.locator("button.reply").click()
    await page.fill("#admin-input", "Здравствуйте! Какой у вас бюджет?")
    await page.press("#admin-input", "Enter")
    await page.locator("#person-log .msg", { hasText: "Здравствуйте! Какой у вас бюджет?" }).waitFor({
      timeout: 10_000
    })
    await expect.poll(
      () => page.locator("#admin-log .msg.out", { hasText: "Какой у вас бюджет?" }).innerText(),
      { timeout: 10_000 }
    ).toContain("👍")

    await page.selectOption("#crm-mode", "ok")
    await page.locator("#person-log button", { hasText: "🔍 SEO-продвижение" }).last().click()
    await page.locator("#crm-log .crm", { hasText: "SEO-продвижение" }).waitFor()

    // The managers' chat made a forum (the bot restarts to see it): the next lead gets the person's topic, and what a
    // manager writes in it reaches the person without a reply.
    // The bot log keeps the earlier run's lines.
    await page.selectOption("#crm-mode", "refused")
    await page.selectOption("#admin-kind", "forum")
    await expect.poll(() => page.isVisible("#admin-topic-label"), { timeout: 40_000 }).toBe(true)
    expect(await page.locator("#bot-log").innerText()).toMatch(/fallback failed too, the lead stays pending/)
    await page.locator("#person-log button", { hasText: "📱 SMM и соцсети" }).last().click()
    await page.locator("#admin-log .msg", { hasText: "topic: Вы · AGENCY" }).first().waitFor({ timeout: 15_000 })
    // "↩ Reply" only where a reply reaches a person: the fallback, not the topic's creation notice.
    expect(await page.locator("#admin-log .msg", { hasText: "«Вы · AGENCY»" }).locator("button.reply").count()).toBe(0)
    expect(
      await page.locator("#admin-log .msg", { hasText: "Запрос: SMM и соцсети" }).locator("button.reply").count()
    ).toBe(1)
    await page.selectOption("#admin-topic", { label: "Вы · AGENCY" })
    await page.fill("#admin-input", "Пишу вам в вашей теме")
    await page.press("#admin-input", "Enter")
    await page.locator("#person-log .msg", { hasText: "Пишу вам в вашей теме" }).waitFor({ timeout: 10_000 })

    // /pending's answer concerns no person: no "↩ Reply" on it.
    // (Written in the person's topic, still chosen: a command there is a command, not a message to them.)
    await page.fill("#admin-input", "/pending")
    await page.press("#admin-input", "Enter")
    const pending = page.locator("#admin-log .msg", { hasText: "Ждут внесения в CRM вручную" }).last()
    await pending.waitFor({ timeout: 10_000 })
    expect(await pending.locator("button.reply").count()).toBe(0)

    if (process.env.UPDATE_SCREENSHOT) {
      mkdirSync("docs", { recursive: true })
      await page.screenshot({ path: "docs/sandbox.png" })
    }
  }, 120_000)

  it(
    "a brand's CRM switched to amoCRM, another's to Bitrix24: the bot restarts, their leads with contact and notes",
    async () => {
      await page.goto(sandbox.url)
      await page.selectOption("#crm-mode", "ok")
      await expect.poll(() => page.inputValue("#crm-mode")).toBe("ok")
      const restarted = page.locator("#bot-restarted")

      await page.selectOption("#crm-kind-express", "amocrm")
      await expect.poll(() => restarted.innerText(), { timeout: 40_000 }).toContain("express on amoCRM")
      expect(await page.inputValue("#crm-kind-express")).toBe("amocrm")
      // The earlier runs' lines stay in the bot's log.
      expect(await page.locator("#bot-log").innerText()).toMatch(/fallback failed too, the lead stays pending/)
      await page.fill("#person-input", "/start express")
      await page.press("#person-input", "Enter")
      await page.locator("#person-log button", { hasText: "💻 Сайт / Лендинг" }).last().click()
      const amoLead = page.locator("#crm-log .crm.amocrm", { hasText: "Сайт / Лендинг" })
      await expect.poll(() => amoLead.innerText(), { timeout: 15_000 }).toContain("Username: @sandbox_person")
      expect(await amoLead.innerText()).toContain("Contact: Вы")
      expect(await amoLead.innerText()).toContain("Tags: express")

      await page.selectOption("#crm-kind-cg", "bitrix24")
      await expect.poll(() => restarted.innerText(), { timeout: 40_000 }).toContain("cg on Bitrix24")
      await page.fill("#person-input", "/start cg")
      await page.press("#person-input", "Enter")
      await page.locator("#person-log button", { hasText: "🤖 AI-видео" }).last().click()
      const bitrixLead = page.locator("#crm-log .crm.bitrix24", { hasText: "AI-видео" })
      await expect.poll(() => bitrixLead.innerText(), { timeout: 15_000 }).toContain("Услуга: AI-видео")
      expect(await bitrixLead.innerText()).toContain("Contact: Вы")
      expect(await bitrixLead.innerText()).toContain("Source: WEB")
      // The amoCRM lead is still in view beside it; the switches show each brand's kind.
      expect(await amoLead.count()).toBe(1)
      expect(await page.inputValue("#crm-kind-agency")).toBe("webhook")
    },
    120_000
  )

  it(
    "as production is set up (--env, --locales): consent, the phone button, a photo each way, a brand's chat, /forget",
    async () => {
      const locales = localesFileWith((json) => {
        json.consent = { ...CONSENT }
        json.campaigns = { vk_spring: { utm_source: "vk", utm_campaign: "spring" } }
        json.profiles.agency!.ask_phone = true
      })
      const env = join(makeTempDir("sandbox-env"), "sandbox.env")
      writeFileSync(env, "ADMIN_NOTIFY=all\nADMIN_CHAT_ID_CG=-100888\n")
      const configured = await startSandbox(0, { entry: "source", envFile: env, localesFile: locales })
      try {
        await page.goto(configured.url)
        await expect.poll(() => page.locator("#settings").innerText()).toContain("ADMIN_NOTIFY=all")
        expect(await page.locator("#settings").innerText()).toContain("/start agency-vk_spring")

        // Consent first: its text, the policy as a link, the accept button; the menu comes after the accept.
        await page.fill("#person-input", "/start agency-vk_spring")
        await page.press("#person-input", "Enter")
        const consent = page.locator("#person-log .msg", { hasText: "Согласие на обработку персональных данных" })
        await consent.locator("b").waitFor()
        expect(await consent.locator(`a.button[href="${CONSENT.policy_url}"]`).count()).toBe(1)
        await consent.locator("button", { hasText: "✅ Согласен" }).click()
        await page.locator("#person-log button", { hasText: "📈 Привлечь клиентов" }).click()

        // The phone button: a reply keyboard under the input field; a press shares the contact, and it goes away.
        const phone = page.locator("#person-keyboard button", { hasText: "📱 Отправить номер телефона" })
        await phone.click()
        await page.locator("#person-log .msg.out", { hasText: "+79001234567" }).waitFor()
        await expect.poll(() => page.isHidden("#person-keyboard"), { timeout: 10_000 }).toBe(true)
        // The campaign of that /start, kept through the consent, with its UTM at the CRM.
        await page.locator("#crm-log .crm", { hasText: "\"utm_source\": \"vk\"" }).waitFor({ timeout: 10_000 })

        // ADMIN_NOTIFY=all: the card, about the person; a manager answers it with a photo.
        const card = page.locator("#admin-log .msg", { hasText: "Привлечь клиентов" }).first()
        await card.locator("button.reply").click()
        await page.fill("#admin-input", "Пример наших работ")
        await page.click("#admin-photo")
        await page.locator("#person-log .msg", { hasText: "Пример наших работ" }).locator(".media").waitFor()

        // /stats: the table, then the chart drawn as a picture; neither concerns a person.
        await page.fill("#admin-input", "/stats")
        await page.press("#admin-input", "Enter")
        const chart = page.locator("#admin-log .msg img.photo")
        await chart.waitFor({ timeout: 15_000 })
        await expect.poll(() => chart.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
          .toBeGreaterThan(100)
        expect(await page.locator("#admin-log .msg", { hasText: "Статистика" }).locator("button.reply").count()).toBe(0)

        // A brand's own managers' chat (ADMIN_CHAT_ID_CG), in its tab.
        await page.fill("#person-input", "/start cg")
        await page.press("#person-input", "Enter")
        await page.locator("#person-log button", { hasText: "🤖 AI-видео" }).click()
        await page.locator("#admin-tabs button", { hasText: "ADMIN_CHAT_ID_CG · -100888" }).click()
        await page.locator("#admin-log .msg", { hasText: "MONSTER CG" }).waitFor({ timeout: 10_000 })
        await page.locator("#admin-tabs button", { hasText: "ADMIN_CHAT_ID · -100777" }).click()

        // A forum: the next lead gets the person's topic; then /forget cleans the managers' side, edits in view.
        await page.selectOption("#admin-kind", "forum")
        await expect.poll(() => page.isVisible("#admin-topic-label"), { timeout: 40_000 }).toBe(true)
        await page.locator("#person-log button", { hasText: "🔍 SEO-продвижение" }).first().click()
        await page.locator("#admin-log .msg", { hasText: "topic: Вы · AGENCY" }).first().waitFor({ timeout: 15_000 })
        await page.fill("#person-input", "/forget")
        await page.press("#person-input", "Enter")
        await page.locator("#person-log button", { hasText: "🗑 Да, удалить" }).click()
        await page.locator("#person-log .msg", { hasText: "данные о вас удалены" }).waitFor({ timeout: 10_000 })
        const erased = page.locator("#admin-log .msg", { hasText: "Данные удалены по запросу человека" })
        await expect.poll(() => erased.count(), { timeout: 15_000 }).toBeGreaterThan(2)
        expect(await erased.first().innerText()).toContain("изменено ×")
        await page.locator("#admin-log .msg", { hasText: "topic: 🗑 Данные удалены" }).first().waitFor()
        expect(await page.locator("#admin-log .msg", { hasText: "+79001234567" }).count()).toBe(0)
      } finally {
        await configured.stop()
      }
    },
    150_000
  )
})
