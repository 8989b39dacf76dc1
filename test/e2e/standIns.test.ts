import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"

import { afterEach, describe, expect, it } from "vitest"

import { freePort } from "../../sim/freePort.js"
import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { localesFileWith } from "../support/locales.js"
import { until } from "../support/until.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const npmEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() }

describe("npm run stand-ins: the stand-ins on their own, for npm start as in production", () => {
  const stops: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
  })

  it("--help says what it does and lists every command", () => {
    const help = String(
      execFileSync("npm", ["run", "--silent", "stand-ins", "--", "--help"], { cwd: root, env: npmEnv })
    )
    expect(help).toMatch(/^npm run stand-ins \[-- --telegram-port N\]/)
    const commands = [...help.matchAll(/^ {2}(\S.*?)(?: {2,}|$)/gm)].map((m) => m[1])
    expect(commands).toEqual([
      "<text>",
      "tap <button text>",
      "contact [phone]",
      "photo [caption]",
      "block, unblock",
      "admin <text>",
      "admin-tap <button text>",
      "reply <#N> <text>",
      "topic <#N> <text>",
      "forum <on|off|no-right>",
      "chat <id|admin>",
      "crm <ok|500|slow|hang|refused|reset>"
    ])
  })

  /** `npm run stand-ins` on free ports: what it printed so far, what it printed for .env, a line typed into it. */
  const startStandIns = async () => {
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
    const env = Object.fromEntries([...output.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]))
    return {
      npm,
      exited,
      env,
      telegramPort,
      crmPort,
      output: () => output,
      type: (line: string) => npm.stdin!.write(`${line}\n`),
      /** Until the output after `since` characters matches. */
      until: (what: string, pattern: RegExp, since = 0, ms = 15_000) =>
        until(what, async () => (pattern.test(output.slice(since)) ? true : undefined), ms)
    }
  }

  it(
    "prints the .env settings; a bot started with them is played from the terminal: menu, tap, lead in the CRM",
    async () => {
      const stand = await startStandIns()
      expect(stand.env).toMatchObject({
        TELEGRAM_API_ROOT: `http://127.0.0.1:${stand.telegramPort}`,
        BOT_TOKEN: expect.any(String),
        ADMIN_CHAT_ID: expect.stringMatching(/^-\d+$/),
        CRM_WEBHOOK_URL_AGENCY: expect.stringContaining(`http://127.0.0.1:${stand.crmPort}/`)
      })

      const bot: BotProcess = spawnBot(stand.env)
      stops.unshift(async () => {
        bot.child.kill("SIGTERM")
        await bot.exited
      })
      stand.type("/start agency")
      await stand.until("the brand's menu shown", /\[📈 Привлечь клиентов\]/, 0, 30_000)
      stand.type("tap 📈 Привлечь клиентов")
      await stand.until("the lead at the CRM", /📇 CRM\s+accepted/)
      expect(stand.output()).toContain("✅ Принято")

      stand.npm.kill("SIGTERM")
      expect(await stand.exited).toBe(0)
    },
    90_000
  )

  it(
    "the terminal plays every feature: the phone button, a reply, a block, another managers' chat, a forum's topic",
    async () => {
      const stand = await startStandIns()
      const mark = () => stand.output().length
      // A second managers' chat, made before the bot starts (it checks each at start-up), for the CG brand.
      stand.type("chat -100888")
      await stand.until("the chat made", /set ADMIN_CHAT_ID_<BRAND>=-100888/)
      stand.type("chat admin")
      const env = {
        ...stand.env,
        ADMIN_CHAT_ID_CG: "-100888",
        CRM_TIMEOUT_MS: "1000",
        LOCALES_PATH: localesFileWith((json) => void (json.profiles.agency!.ask_phone = true))
      }
      let bot: BotProcess = spawnBot(env)
      stops.unshift(async () => {
        bot.child.kill("SIGTERM")
        await bot.exited
      })
      // The CRM's "no answer", by the sandbox's name: the lead goes to the managers' chat.
      stand.type("crm timeout")
      await stand.until("the modes listed", /the CRM's modes: ok, 500, slow, hang, refused, reset/)
      stand.type("crm hang")
      await stand.until("the mode set", /the CRM answers hang from now on/)

      stand.type("/start agency")
      await stand.until("the brand's menu shown", /\[📈 Привлечь клиентов\]/, 0, 30_000)
      stand.type("tap 📈 Привлечь клиентов")
      // The phone button is a reply keyboard, shown and tapped as one: it shares the person's own contact.
      await stand.until("the phone button", /⌨ \[📱 Отправить номер телефона\]/)
      stand.type("tap 📱 Отправить номер телефона")
      await stand.until("the contact sent", /👤 Вы: \[contact\] \+79001234567/)
      await stand.until("the fallback with the phone", /🛎 admin #(\d+) [^\n]*FALLBACK[\s\S]*\+79001234567/)
      const fallback = /🛎 admin #(\d+) [^\n]*FALLBACK/.exec(stand.output())![1]

      // A manager's reply to the bot's message about the person reaches them; once they block the bot, ⛔.
      let since = mark()
      stand.type("reply #999 Здравствуйте")
      await stand.until("a wrong id refused", /reply #N <text>: N is a bot's message/, since)
      stand.type(`reply #${fallback} Здравствуйте! Какой бюджет?`)
      await stand.until("the reply at the person", /🤖 →👤 Здравствуйте! Какой бюджет\?/, since)
      since = mark()
      stand.type("block")
      stand.type(`reply #${fallback} Вы здесь?`)
      await stand.until("the refusal in the managers' chat", /🛎 admin #\d+ ⛔ Не доставлено/, since)
      stand.type("unblock")

      // The CG brand's lead goes to its own chat, printed with its id.
      since = mark()
      stand.type("/start cg")
      await stand.until("the CG menu", /\[🤖 AI-видео\]/, since)
      stand.type("tap 🤖 AI-видео")
      await stand.until("the CG fallback in its chat", /🛎 -100888 #\d+ [^\n]*FALLBACK/, since)

      // A forum: the bot restarted sees it; the next lead gets a topic, and a manager writes in it.
      stand.type("forum on")
      await stand.until("the restart asked for", /a forum now: restart the bot/)
      bot.child.kill("SIGTERM")
      await bot.exited
      bot = spawnBot(env)
      since = mark()
      stand.type("/start agency")
      await stand.until("the menu again", /\[🎯 Таргетированная реклама\]/, since, 30_000)
      stand.type("tap 🎯 Таргетированная реклама")
      await stand.until("the topic made", /🛎 admin #(\d+) \(a new topic\) «Вы · AGENCY»/, since)
      const topic = /🛎 admin #(\d+) \(a new topic\)/.exec(stand.output().slice(since))![1]
      await stand.until(
        "the fallback in the topic",
        new RegExp(`🛎 admin #\\d+ \\(topic #${topic}\\) .*FALLBACK`),
        since
      )
      stand.type(`topic #${topic} Пишу в вашей теме`)
      await stand.until("the topic's message at the person", /🤖 →👤 Пишу в вашей теме/, since)

      stand.npm.kill("SIGTERM")
      expect(await stand.exited).toBe(0)
    },
    120_000
  )
})
