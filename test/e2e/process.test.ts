import { spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { localesFileWith } from "../support/locales.js"
import { galliard } from "../support/people.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** The exit code, or "still running" (then killed) after `ms`: a hang fails the test instead of timing it out. */
const exitWithin = async (bot: BotProcess, ms: number): Promise<number | null | "still running"> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)))
  const result = await Promise.race([bot.exited, late])
  clearTimeout(timer)
  if (result === "still running") bot.child.kill("SIGKILL")
  return result
}

/** Enough to start against the Telegram stand-in (brands without a CRM webhook only warn). */
const telegramEnv = (telegram: TelegramSim) => ({
  BOT_TOKEN: telegram.token,
  ADMIN_CHAT_ID: String(telegram.adminChatId),
  TELEGRAM_API_ROOT: telegram.apiRoot
})

/** Its stderr, less the warnings about brands without a CRM webhook. */
const errorLines = (bot: BotProcess) =>
  bot.output().stderr.trim().split("\n").filter((l) => l !== "" && !l.includes("WARN"))

describe("the bot as a process", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it.each<[Record<string, string>, RegExp]>([
    [{ ADMIN_CHAT_ID: "-1" }, /^Cannot start: configuration: .*BOT_TOKEN/],
    [{ BOT_TOKEN: "1:abc" }, /^Cannot start: configuration: .*ADMIN_CHAT_ID/],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", LOCALES_PATH: "BROKEN" },
      /^Cannot start: .*locales\.json: profiles\.cg\.services\[0\]\.title: Expected string, actual 5$/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", LOCALES_PATH: "/nowhere/locales.json" },
      /^Cannot start: LOCALES_PATH: cannot read \/nowhere\/locales\.json/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", CRM_WEBHOOK_URL_AGENCY: "not a url" },
      /^Cannot start: CRM_WEBHOOK_URL_AGENCY: expected an http\(s\) URL$/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", WEBHOOK_URL: "https://bot.example/hook-path" },
      /^Cannot start: configuration: .*WEBHOOK_SECRET/
    ],
    [
      {
        BOT_TOKEN: "1:abc",
        ADMIN_CHAT_ID: "-1",
        WEBHOOK_URL: "https://bot.example/hook",
        WEBHOOK_SECRET: "has spaces"
      },
      /^Cannot start: configuration: .*WEBHOOK_SECRET.*1-256 characters/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", WEBHOOK_URL: "ftp://bot.example/hook", WEBHOOK_SECRET: "s" },
      /^Cannot start: configuration: .*WEBHOOK_URL/
    ],
    [{ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", PORT: "80800" }, /^Cannot start: configuration: .*PORT/],
    [{ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", LOG_FORMAT: "xml" }, /^Cannot start: configuration: .*LOG_FORMAT/],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", CRM_WEBHOOK_URL_AGENSY: "https://crm.example/hook" },
      /^Cannot start: CRM_WEBHOOK_URL_AGENSY: names no brand of locales\.json \(its brands: agency, cg, express\)$/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", ADMIN_CHAT_ID_CGG: "-100600" },
      /^Cannot start: ADMIN_CHAT_ID_CGG: names no brand of locales\.json \(its brands: agency, cg, express\)$/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", ADMIN_CHAT_ID_CG: "managers" },
      /^Cannot start: configuration: .*ADMIN_CHAT_ID_CG/
    ],
    [
      { BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", LOCALES_PATH: "BAD_HOURS" },
      /^Cannot start: .*locales\.json: profiles\.cg\.hours\.to: expected a time HH:MM from 00:00 to 23:59$/
    ],
    [
      { ADMIN_CHAT_ID: "-1", LOG_FORMAT: "json" },
      /^\{"time":"[^"]+","level":"FATAL","message":"Cannot start: configuration: .*BOT_TOKEN/
    ]
  ])("bad configuration %o → exit 1 with one clear line, no stack trace", async (env, expected) => {
    if (env.LOCALES_PATH === "BROKEN") {
      env.LOCALES_PATH = localesFileWith((j) => (j.profiles.cg!.services[0]!.title = 5))
    }
    if (env.LOCALES_PATH === "BAD_HOURS") {
      env.LOCALES_PATH = localesFileWith((
        j
      ) => (j.profiles.cg!.hours = { days: "mon-fri", from: "10:00", to: "25:00" }))
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

  it("DATA_DIR where no folder can be made (under /proc) → exit 1 at once, one line naming DATA_DIR", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    const bot = spawnBot({ ...telegramEnv(telegram), DATA_DIR: "/proc/leadbot-nowhere" })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([
      expect.stringMatching(/^Cannot start: DATA_DIR: cannot make the folder .*\/proc\/leadbot-nowhere/)
    ])
  })

  it("DATA_DIR a folder the bot may not write (a root-owned mount) → one line saying whose it must be", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    // /proc exists and takes no new file, even from root: as /data mounted from a folder root owns.
    const bot = spawnBot({ ...telegramEnv(telegram), DATA_DIR: "/proc" })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([
      expect.stringMatching(
        new RegExp(
          "^Cannot start: DATA_DIR: cannot lock the lead store /proc/leads\\.sqlite: unable to open database file: " +
            "the folder /proc must exist and be writable by the bot's user " +
            "\\(uid \\d+ here; in the container image, uid 1000, \"node\"\\)$"
        )
      )
    ])
  })

  it.each(["not found", "kicked"] as const)(
    "an admin chat that is %s → exit 1, one line naming ADMIN_CHAT_ID",
    async (gone) => {
      const telegram = await TelegramSim.start()
      cleanups.push(() => telegram.close())
      telegram.adminChatGone = gone
      const bot = spawnBot({ ...telegramEnv(telegram) })
      expect(await exitWithin(bot, 15_000)).toBe(1)
      expect(errorLines(bot)).toEqual([
        expect.stringMatching(new RegExp(`^Cannot start: ADMIN_CHAT_ID=${telegram.adminChatId}: Telegram says`))
      ])
      expect(telegram.calls.some((c) => c.method === "getUpdates")).toBe(false)
    }
  )

  it("LOG_FORMAT=json: a start-up failing after the HTTP server bound ends with the failure as JSON", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    telegram.adminChatGone = "not found"
    const bot = spawnBot({ ...telegramEnv(telegram), LOG_FORMAT: "json" })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    const { stderr, stdout } = bot.output()
    const lines = (text: string) => text.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
    // Every line of either stream is one JSON object; the INFO lines came first, the failure is the last.
    expect(lines(stdout).map((l) => l.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^HTTP on /)]))
    const last = lines(stderr).at(-1)
    expect(last).toMatchObject({ level: "FATAL", message: expect.stringMatching(/^Cannot start: ADMIN_CHAT_ID=/) })
    expect(Date.parse(last.time)).toBeGreaterThan(0)
  })

  it("a variable set in the environment wins over the same one in .env", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    const workDir = makeTempDir("dotenv")
    // .env alone would stop start-up (a bad LOG_FORMAT, a wrong token); the environment's values win.
    writeFileSync(join(workDir, ".env"), "LOG_FORMAT=xml\nBOT_TOKEN=999:from-dotenv\nDATA_DIR=./data\n")
    const bot = spawnBot({ ...telegramEnv(telegram), LOG_FORMAT: "json" }, workDir)
    cleanups.push(async () => {
      bot.child.kill("SIGKILL")
      await bot.exited
    })
    await telegram.waitFor("the bot polling", () => telegram.calls.some((c) => c.method === "getUpdates"), 20_000)
    expect(JSON.parse(bot.output().stdout.trim().split("\n")[0]!)).toHaveProperty("level")
  })

  it("a forum admin chat where the bot may not manage topics → exit 1, one line naming the right", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    telegram.forum = true
    telegram.canManageTopics = false
    const bot = spawnBot({ ...telegramEnv(telegram) })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([
      `Cannot start: ADMIN_CHAT_ID=${telegram.adminChatId}: the chat is a forum: the bot must be an administrator ` +
      "allowed to manage topics (can_manage_topics)"
    ])
  })

  it("a busy PORT → exit 1, one line naming PORT", async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())))
    const port = (busy.address() as { port: number }).port
    const bot = spawnBot({ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", PORT: String(port) })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([
      `Cannot start: PORT=${port}: cannot serve HTTP on 127.0.0.1:${port}: ` +
      "the address is in use (another process listens there)"
    ])
  })

  it("a HOST that is no address of this machine → exit 1, one line naming HOST (not PORT)", async () => {
    // 192.0.2.1 is TEST-NET-1: never a local address, and no name to look up.
    const bot = spawnBot({ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", HOST: "192.0.2.1", PORT: "8099" })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    expect(errorLines(bot)).toEqual([
      "Cannot start: HOST=192.0.2.1: cannot serve HTTP on 192.0.2.1:8099: " +
      "listen EADDRNOTAVAIL: address not available 192.0.2.1:8099"
    ])
  })

  it("setWebhook refused → exit 1, one line naming WEBHOOK_URL without its path (the route is a secret)", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    // As Telegram answers an http:// URL.
    telegram.refuseWebhooks = "Bad Request: bad webhook: HTTPS url must be provided for webhook"
    const bot = spawnBot({
      ...telegramEnv(telegram),
      WEBHOOK_URL: "http://127.0.0.1:9/secret-route-path",
      WEBHOOK_SECRET: "s"
    })
    expect(await exitWithin(bot, 15_000)).toBe(1)
    const lines = errorLines(bot)
    expect(lines).toEqual([
      "Cannot start: WEBHOOK_URL=http://127.0.0.1:9/…: setWebhook failed: 400 Bad Request: bad webhook: HTTPS url must be provided for webhook"
    ])
    expect(bot.output().stdout + bot.output().stderr).not.toContain("secret-route-path")
  })

  /** A listener on 127.0.0.1 that takes connections and never answers; `connected` once the first comes. */
  const silentListener = async () => {
    const sockets: Array<Socket> = []
    const silent = createServer((socket) => void sockets.push(socket))
    const connected = new Promise<void>((resolve) => silent.once("connection", () => resolve()))
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    cleanups.push(() =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        silent.close(() => resolve())
      })
    )
    return { connected, port: (silent.address() as { port: number }).port }
  }

  it("a signal during start-up stops the process (here while Telegram does not answer getMe)", async () => {
    const { connected, port } = await silentListener()
    const bot = spawnBot({ BOT_TOKEN: "1:abc", ADMIN_CHAT_ID: "-1", TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` })
    cleanups.push(async () => void bot.child.kill("SIGKILL"))
    await connected
    bot.child.kill("SIGTERM")
    expect(await exitWithin(bot, 5_000)).toBe(0)
    expect(errorLines(bot).at(-1)).toBe(
      "Stopped during start-up: a signal (SIGTERM or SIGINT) came before the bot was ready"
    )
  })

  it("a signal while PostgreSQL is connected to (a listener that never answers) stops start-up at once", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    const { connected, port } = await silentListener()
    const bot = spawnBot({ ...telegramEnv(telegram), DATABASE_URL: `postgres://bot@127.0.0.1:${port}/leads` })
    cleanups.push(async () => void bot.child.kill("SIGKILL"))
    await connected
    const signalled = Date.now()
    bot.child.kill("SIGTERM")
    // The driver's connect timeout is 10 s: the stop does not wait for it.
    expect(await exitWithin(bot, 3_000)).toBe(0)
    expect(Date.now() - signalled).toBeLessThan(3_000)
    expect(errorLines(bot).at(-1)).toBe(
      "Stopped during start-up: a signal (SIGTERM or SIGINT) came before the bot was ready"
    )
  })

  it("a second bot on the same DATA_DIR refuses to start with one line; the first keeps working", async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    const dataDir = makeTempDir("shared")
    const env = { ...botEnv(telegram, crm), DATA_DIR: dataDir }
    const first = spawnBot(env)
    cleanups.push(async () => {
      first.child.kill("SIGTERM")
      await first.exited
    })
    await telegram.waitFor("the first bot polling", () => telegram.calls.some((c) => c.method === "getUpdates"), 20_000)
    const second = spawnBot(env)
    expect(await exitWithin(second, 15_000)).toBe(1)
    expect(errorLines(second)).toEqual([
      expect.stringMatching(/^Cannot start: DATA_DIR: the lead store .*leads\.sqlite is in use by another running bot/)
    ])
    telegram.sendText(galliard, "/start agency")
    const menus = await telegram.waitFor("the menu", () => telegram.botMessages(galliard.id)[0], 10_000)
    expect(menus.text).toContain("MONSTER AGENCY")
    expect(first.child.exitCode).toBe(null)
    // Only one welcome: the second bot never polled.
    expect(telegram.botMessages(galliard.id)).toHaveLength(1)
  })

  it("two bots with one token (different stores): Telegram's 409 is reported as another instance polling", async () => {
    const telegram = await TelegramSim.start()
    cleanups.push(() => telegram.close())
    const bots = [0, 1].map(() => spawnBot({ ...telegramEnv(telegram), LOG_LEVEL: "Info" }))
    cleanups.push(async () => {
      for (const bot of bots) bot.child.kill("SIGTERM")
      await Promise.all(bots.map((bot) => bot.exited))
    })
    const logs = () => bots.map((bot) => bot.output().stdout + bot.output().stderr).join("\n")
    await telegram.waitFor(
      "a 409 reported",
      () => logs().includes("another bot instance is receiving updates with this BOT_TOKEN"),
      20_000
    )
    expect(logs()).toMatch(/ERROR.*another bot instance.*409 Conflict: terminated by other getUpdates request/)
  })

  it(
    "kill <pid of npm start>: the signal reaches the bot, which stops gracefully; nothing is left running",
    async () => {
      const telegram = await TelegramSim.start()
      cleanups.push(() => telegram.close())
      const npm = spawn("npm", ["start"], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? tmpdir(),
          ...telegramEnv(telegram),
          DATA_DIR: makeTempDir("npm"),
          LOG_LEVEL: "Info"
        },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      npm.stdout!.on("data", (d) => (output += d))
      npm.stderr!.on("data", (d) => (output += d))
      const npmExited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)))
      const children = () =>
        readFileSync(`/proc/${npm.pid}/task/${npm.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(
          Number
        )
      cleanups.push(async () => {
        for (const pid of existsSync(`/proc/${npm.pid}`) ? children() : []) process.kill(pid, "SIGKILL")
        npm.kill("SIGKILL")
      })
      await telegram.waitFor("the bot polling", () => telegram.calls.some((c) => c.method === "getUpdates"), 30_000)
      const [bot] = children()
      expect(readFileSync(`/proc/${bot}/cmdline`, "utf8").split("\0")).toContain("dist/app/main.mjs")
      npm.kill("SIGTERM")
      expect(
        await Promise.race([npmExited, new Promise((resolve) => setTimeout(() => resolve("still running"), 10_000))])
      ).toBe(0)
      expect(output).toContain("polling stopped")
      expect(existsSync(`/proc/${bot}`)).toBe(false)
    },
    60_000
  )

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
