import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { errorLines, exitWithin } from "../support/botProcess.js"
import { galliard, maria } from "../support/people.js"

const CG_CHAT = -100600

/** The brand keys of per-brand variables, through the real environment: the bot as its own process. */
describe("a brand's variable in another case, the bot as a process", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const stand = async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => Promise.all([telegram.close(), crm.close()]).then(() => undefined))
    const env = {
      BOT_TOKEN: telegram.token,
      ADMIN_CHAT_ID: String(telegram.adminChatId),
      TELEGRAM_API_ROOT: telegram.apiRoot
    }
    return { telegram, crm, env }
  }

  it("ADMIN_CHAT_ID_cg, CRM_WEBHOOK_URL_agency used: cg's fallback in its chat, agency's lead at its CRM", async () => {
    const { crm, env, telegram } = await stand()
    telegram.addManagersChat(CG_CHAT)
    const bot = spawnBot({
      ...env,
      ADMIN_CHAT_ID_cg: String(CG_CHAT),
      CRM_WEBHOOK_URL_agency: crm.webhookUrl("agency")
    })
    cleanups.push(async () => {
      bot.child.kill("SIGTERM")
      await exitWithin(bot, 15_000)
    })
    await telegram.waitFor(
      "the bot polling (or exiting)",
      () => telegram.calls.some((c) => c.method === "getUpdates") || bot.child.exitCode !== null,
      20_000
    )
    expect(errorLines(bot)).toEqual([])
    expect(telegram.calls.filter((c) => c.method === "getChat").map((c) => Number(c.body.chat_id)).sort()).toEqual(
      [telegram.adminChatId, CG_CHAT].sort()
    )
    // The warnings name the brands without a CRM: cg and express, not agency.
    const warnings = bot.output().all.split("\n").filter((l) => l.includes("has no CRM ("))
    expect(warnings.map((l) => /profile (\w+)/.exec(l)?.[1])).toEqual(["cg", "express"])

    const leadOf = async (person: typeof galliard, brand: string, service: string) => {
      telegram.sendText(person, `/start ${brand}`)
      await telegram.waitFor(
        "the menu",
        () => telegram.botMessages(person.id).find((m) => m.keyboard.flat().some((b) => b.text === service)),
        10_000
      )
      telegram.tap(person, service)
    }
    await leadOf(maria, "cg", "🤖 AI-видео")
    await telegram.waitFor(
      "cg's fallback in cg's chat",
      () => telegram.botMessages(CG_CHAT).find((m) => m.text.includes("FALLBACK") && m.text.includes(String(maria.id))),
      10_000
    )
    await leadOf(galliard, "agency", "📈 Привлечь клиентов")
    await telegram.waitFor(
      "agency's lead at its CRM",
      () => crm.accepted.some((r) => r.path.includes("/agency/")),
      10_000
    )
    expect(telegram.botMessages(telegram.adminChatId).some((m) => m.text.includes("FALLBACK"))).toBe(false)
  })

  it.each<[Record<string, string>, string]>([
    [
      { ADMIN_CHAT_ID_cg: "-100777", ADMIN_CHAT_ID_CG: "-100778" },
      "Cannot start: ADMIN_CHAT_ID_CG and ADMIN_CHAT_ID_cg are one brand's (cg): brand keys are matched in any case; " +
      "keep one"
    ],
    [
      { ADMIN_CHAT_ID_CG: "" },
      "Cannot start: ADMIN_CHAT_ID_CG is empty: expected a chat id, such as -1001234567890 (or leave it unset)"
    ],
    [
      { CRM_WEBHOOK_URL_agensy: "https://crm.example/hook" },
      "Cannot start: CRM_WEBHOOK_URL_agensy: names no brand of locales.json (its brands: agency, cg, express)"
    ]
  ])("%o → exit 1 with one line, before any Telegram call", async (variables, line) => {
    const { env, telegram } = await stand()
    const bot = spawnBot({ ...env, ...variables })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([line])
    expect(telegram.calls.some((c) => c.method === "getUpdates")).toBe(false)
  })
})
