import { writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { CrmSim } from "../../sim/CrmSim.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { botEnv } from "../../sim/world.js"
import { galliard } from "../support/people.js"
import { spawnBot } from "../../sim/spawnBot.js"

describe("the bot as a process", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it.each<[Record<string, string>, RegExp]>([
    [{ ADMIN_CHAT_ID: "-1" }, /^Cannot start: configuration: .*BOT_TOKEN/],
    [{ BOT_TOKEN: "1:abc" }, /^Cannot start: configuration: .*ADMIN_CHAT_ID/],
    [{ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", LOCALES_PATH: "BROKEN" }, /^Cannot start: .*locales\.json: profiles\.cg\.services\[0\]\.title: Expected string, actual 5$/]
  ])("bad configuration %o → exit 1 with one clear line, no stack trace", async (env, expected) => {
    if (env.LOCALES_PATH) {
      const broken = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync("locales/locales.json", "utf8")))
      broken.profiles.cg.services[0].title = 5
      env.LOCALES_PATH = join(tmpdir(), `broken-${process.pid}-locales.json`)
      writeFileSync(env.LOCALES_PATH, JSON.stringify(broken))
    }
    const bot = spawnBot(env)
    expect(await bot.exited).toBe(1)
    const { stderr } = bot.output()
    const lines = stderr.trim().split("\n").filter((l) => !l.includes("WARN"))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(expected)
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it("a wrong token → exit 1 naming BOT_TOKEN; the token itself is never printed", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    const bot = spawnBot({ BOT_TOKEN: "999:wrong-secret", ADMIN_CHAT_ID: "-1", TELEGRAM_API_ROOT: telegram.apiRoot })
    expect(await bot.exited).toBe(1)
    const { stdout, stderr } = bot.output()
    expect(stderr.trim()).toMatch(/^Cannot start: Telegram rejected BOT_TOKEN \(401/)
    expect(stdout + stderr).not.toContain("wrong-secret")
  })

  it("SIGTERM: stops taking updates, finishes the delivery under way, exits 0", async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    await crm.setMode({ kind: "slow", ms: 1500 })
    const bot = spawnBot({
      ...botEnv(telegram, crm),
      LOG_LEVEL: "Info"
    })
    telegram.sendText(galliard, "/start agency")
    await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0], 20_000)
    telegram.tap(galliard, "📈 Привлечь клиентов")
    await telegram.waitFor("confirmation", () => telegram.botMessages(galliard.id)[1])
    await telegram.waitFor("the CRM request under way", () => crm.requests.length === 1)
    bot.child.kill("SIGTERM")
    expect(await bot.exited).toBe(0)
    expect(crm.accepted).toHaveLength(1)
    const { stdout, stderr } = bot.output()
    expect(stdout + stderr).toContain("lead delivered to the CRM")
    expect(stdout + stderr).not.toContain(telegram.token)
    expect(stdout + stderr).not.toContain("secret-test-token")
  })
})
