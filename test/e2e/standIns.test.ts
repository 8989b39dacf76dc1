import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"

import { afterEach, describe, expect, it } from "vitest"

import { freePort } from "../../sim/freePort.js"
import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { until } from "../support/until.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const npmEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() }

describe("npm run stand-ins: the stand-ins on their own, for npm start as in production", () => {
  const stops: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
  })

  it("--help says what it does and how to use it", () => {
    const help = execFileSync("npm", ["run", "--silent", "stand-ins", "--", "--help"], { cwd: root, env: npmEnv })
    expect(String(help)).toMatch(/^npm run stand-ins \[-- --telegram-port N\]/)
    expect(String(help)).toContain("tap <button text>")
  })

  it(
    "prints the .env settings; a bot started with them is played from the terminal: menu, tap, lead in the CRM",
    async () => {
      const [telegramPort, crmPort] = [await freePort(), await freePort()]
      const npm: ChildProcess = spawn(
        "npm",
        ["run", "stand-ins", "--", "--telegram-port", String(telegramPort), "--crm-port", String(crmPort)],
        { cwd: root, env: npmEnv, stdio: ["pipe", "pipe", "pipe"] }
      )
      let output = ""
      npm.stdout!.on("data", (d) => (output += d))
      npm.stderr!.on("data", (d) => (output += d))
      const exited = new Promise<number | null>((resolve) => npm.on("exit", resolve))
      stops.push(async () => {
        npm.kill("SIGKILL")
        await exited
      })
      await until("the settings printed", async () => (output.includes("CRM_WEBHOOK_URL_EXPRESS=") ? true : undefined))
      const env = Object.fromEntries(
        [...output.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!])
      )
      expect(env).toMatchObject({
        TELEGRAM_API_ROOT: `http://127.0.0.1:${telegramPort}`,
        BOT_TOKEN: expect.any(String),
        ADMIN_CHAT_ID: expect.stringMatching(/^-\d+$/),
        CRM_WEBHOOK_URL_AGENCY: expect.stringContaining(`http://127.0.0.1:${crmPort}/`)
      })

      const bot: BotProcess = spawnBot(env)
      stops.unshift(async () => {
        bot.child.kill("SIGTERM")
        await bot.exited
      })
      npm.stdin!.write("/start agency\n")
      await until(
        "the brand's menu shown",
        async () => (output.includes("[📈 Привлечь клиентов]") ? true : undefined),
        30_000
      )
      npm.stdin!.write("tap 📈 Привлечь клиентов\n")
      await until("the lead at the CRM", async () => (/📇 CRM\s+accepted/.test(output) ? true : undefined), 15_000)
      expect(output).toContain("✅ Принято")

      npm.kill("SIGTERM")
      expect(await exited).toBe(0)
    },
    90_000
  )
})
