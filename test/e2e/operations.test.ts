import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { freePort } from "../../sim/freePort.js"
import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { type SimUser, TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { scrape as scrapeAt } from "../support/metrics.js"
import { boss, galliard, maria } from "../support/people.js"
import { until } from "../support/until.js"
import { WEBHOOK_PATH, WEBHOOK_SECRET, webhookEnv } from "../support/webhookEnv.js"

describe("operating the bot: metrics, readiness, logs, webhook crashes", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const world = async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    return { telegram, crm }
  }
  const spawn = (env: Record<string, string>, workDir?: string) => {
    const bot = spawnBot(env, workDir)
    cleanups.push(async () => {
      bot.child.kill("SIGKILL")
      await bot.exited
    })
    return bot
  }
  const tap = async (telegram: TelegramSim, user: SimUser, brand: string, service: string) => {
    telegram.sendText(user, `/start ${brand}`)
    await telegram.waitFor("the menu", () => telegram.botMessages(user.id).find((m) => m.keyboard.length > 0), 20_000)
    telegram.tap(user, service)
    return telegram.waitFor(
      "the confirmation",
      () => telegram.botMessages(user.id).find((m) => m.text.startsWith("✅"))
    )
  }

  it("metrics: two leads taken by the CRM and one fallback after a timeout give exactly these values", async () => {
    const { crm, telegram } = await world()
    const port = await freePort()
    spawn({ ...botEnv(telegram, crm), PORT: String(port), CRM_TIMEOUT_MS: "500", LOG_LEVEL: "warn" })
    // The bot under tsx starts in a few seconds; on a loaded machine it may take far longer.
    await until("ready", async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 45_000)
    const scrape = () => scrapeAt(port)
    /** Scrapes until `ready` holds, and returns that scrape. */
    const scrapeWhen = (what: string, ready: (m: Map<string, number>) => boolean) =>
      until(what, async () => {
        const now = await scrape()
        return ready(now) ? now : undefined
      })

    // Before any event, every series whose labels are known is there, at 0 (an alert on a rate has a series).
    const before = await scrape()
    for (const reason of ["secret", "malformed", "too_large"]) {
      expect(before.get(`leadbot_webhook_rejected_total{reason="${reason}"}`)).toBe(0)
    }
    for (const brand of ["agency", "cg", "express"]) {
      expect(before.get(`leadbot_leads_recorded_total{brand="${brand}"}`)).toBe(0)
      expect(before.get(`leadbot_starts_total{brand="${brand}"}`)).toBe(0)
      expect(before.get(`leadbot_leads_delivered_total{brand="${brand}",via="fallback",crm="webhook"}`)).toBe(0)
      expect(before.get(`leadbot_crm_errors_total{brand="${brand}",kind="http_status",crm="webhook"}`)).toBe(0)
    }
    expect(before.get("leadbot_updates_received_total{source=\"webhook\"}")).toBe(0)
    expect(before.get("leadbot_confirmation_seconds_count")).toBe(0)
    expect(before.get("leadbot_consents_total{result=\"accepted\"}")).toBe(0)
    expect(before.get("leadbot_forgotten_total{by=\"person\"}")).toBe(0)
    expect(before.get("leadbot_forgotten_total{by=\"operator\"}")).toBe(0)

    await tap(telegram, galliard, "agency", "📈 Привлечь клиентов")
    await tap(telegram, maria, "cg", "🤖 AI-видео")
    await telegram.waitFor("two leads in the CRM", () => crm.accepted.length === 2)
    await crm.setMode({ kind: "hang" })
    await tap(telegram, boss, "express", "💻 Сайт / Лендинг")
    await telegram.waitFor("the fallback", () => telegram.admin[0], 10_000)
    const m = await scrapeWhen(
      "the fallback counted",
      (now) => now.get("leadbot_leads_delivered_total{brand=\"express\",via=\"fallback\",crm=\"webhook\"}") === 1
    )
    expect(m.get("leadbot_updates_received_total{source=\"polling\"}")).toBe(6)
    expect(m.get("leadbot_leads_recorded_total{brand=\"agency\"}")).toBe(1)
    expect(m.get("leadbot_starts_total{brand=\"agency\"}")).toBe(1)
    expect(m.get("leadbot_starts_total{brand=\"express\"}")).toBe(1)
    expect(m.get("leadbot_leads_recorded_total{brand=\"cg\"}")).toBe(1)
    expect(m.get("leadbot_leads_recorded_total{brand=\"express\"}")).toBe(1)
    expect(m.get("leadbot_leads_delivered_total{brand=\"agency\",via=\"crm\",crm=\"webhook\"}")).toBe(1)
    expect(m.get("leadbot_leads_delivered_total{brand=\"cg\",via=\"crm\",crm=\"webhook\"}")).toBe(1)
    expect(m.get("leadbot_crm_errors_total{brand=\"express\",kind=\"timeout\",crm=\"webhook\"}")).toBe(1)
    // The one timeout, and nothing else of the 15 CRM error series (3 brands × 5 kinds).
    const crmErrors = [...m].filter(([k]) => k.startsWith("leadbot_crm_errors_total"))
    expect(crmErrors).toHaveLength(15)
    expect(crmErrors.filter(([, n]) => n > 0)).toEqual([[
      "leadbot_crm_errors_total{brand=\"express\",kind=\"timeout\",crm=\"webhook\"}",
      1
    ]])
    expect([...m.keys()].filter((k) => k.startsWith("leadbot_telegram_errors_total"))).toHaveLength(0)
    expect(m.get("leadbot_leads_pending")).toBe(0)
    expect(m.get("leadbot_oldest_pending_lead_seconds")).toBe(0)
    expect(m.get("leadbot_confirmation_seconds_count")).toBe(3)
    expect(m.get("leadbot_delivery_seconds_count")).toBe(3)
    expect(m.get("leadbot_confirmation_seconds_bucket{le=\"+Inf\"}")).toBe(3)
    expect(m.get("process_resident_memory_bytes")).toBeGreaterThan(10_000_000)
    expect(m.get("nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0)

    // The CRM refused and the admin chat failing: a lead waits, the gauges say so, Telegram's errors are counted.
    await crm.setMode({ kind: "refused" })
    telegram.adminFault = { kind: "500", times: 1_000 }
    await tap(telegram, galliard, "agency", "🎯 Таргетированная реклама")
    // Pending as soon as it is recorded; its failed attempts are counted as they happen: both awaited.
    const waiting = await scrapeWhen(
      "the pending lead and its failed fallback",
      (now) =>
        now.get("leadbot_leads_pending") === 1 &&
        (now.get("leadbot_telegram_errors_total{method=\"sendMessage\",code=\"500\"}") ?? 0) >= 1
    )
    expect(waiting.get("leadbot_oldest_pending_lead_seconds")).toBeGreaterThan(0)
    expect(waiting.get("leadbot_telegram_errors_total{method=\"sendMessage\",code=\"500\"}")).toBeGreaterThanOrEqual(1)
    expect(waiting.get("leadbot_crm_errors_total{brand=\"agency\",kind=\"connection\",crm=\"webhook\"}"))
      .toBeGreaterThanOrEqual(1)
  }, 90_000)

  it("/readyz 200 once running, 503 from SIGTERM on while the delivery under way finishes; /healthz 200", async () => {
    const { crm, telegram } = await world()
    const port = await freePort()
    const url = (path: string) => `http://127.0.0.1:${port}${path}`
    await crm.setMode({ kind: "slow", ms: 2500 })
    const bot = spawn({ ...botEnv(telegram, crm), PORT: String(port), LOG_LEVEL: "info" })
    await until("ready", async () => ((await fetch(url("/readyz"))).status === 200 ? true : undefined))
    expect((await fetch(url("/healthz"))).status).toBe(200)
    await tap(telegram, galliard, "agency", "📈 Привлечь клиентов")
    await telegram.waitFor("the CRM request under way", () => crm.requests.length === 1)
    bot.child.kill("SIGTERM")
    // Polled every 100 ms until the process is gone: every poll is answered (503, /healthz 200) until the rest has
    // stopped; only then does the server go.
    const polls: Array<string> = []
    let exited = false
    const exitCode = bot.exited.then((code) => {
      exited = true
      return code
    })
    const answer = (path: string) =>
      fetch(url(path)).then(async (r) => `${r.status} ${(await r.text()).trim()}`, () => "no answer")
    while (!exited) {
      polls.push(`${await answer("/readyz")} | ${await answer("/healthz")}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await exitCode).toBe(0)
    expect(crm.accepted).toHaveLength(1)
    // The CRM took 2.5 s: a poll for each 100 ms of it, all answered while the delivery finished.
    // (The first poll may come before the signal is handled.)
    const afterSignal = polls.slice(polls.findIndex((p) => p !== "200 ready | 200 ok"))
    const answered = afterSignal.filter((p) => p === "503 stopping | 200 ok")
    expect(answered.length).toBeGreaterThan(10)
    expect(afterSignal.slice(0, answered.length)).toEqual(answered)
    // A poll is two requests in turn: the server may go between them, once.
    const rest = afterSignal.slice(answered.length)
    const gone = rest[0] === "503 stopping | no answer" ? rest.slice(1) : rest
    expect(gone.every((p) => p === "no answer | no answer"), polls.join("\n")).toBe(true)
  })

  it("webhook mode, SIGTERM: the route takes updates for SHUTDOWN_DRAIN_SECONDS, handled, then 503", async () => {
    const { crm, telegram } = await world()
    const webhook = await webhookEnv()
    await crm.setMode({ kind: "slow", ms: 4000 })
    const bot = spawn({ ...botEnv(telegram, crm), ...webhook.env, SHUTDOWN_DRAIN_SECONDS: "2", LOG_LEVEL: "info" })
    const readyz = () => fetch(`${webhook.base}/readyz`).then((r) => r.status, () => 0)
    await until("ready", async () => ((await readyz()) === 200 ? true : undefined), 45_000)
    bot.child.kill("SIGTERM")
    await until("503 from /readyz", async () => ((await readyz()) === 503 ? true : undefined), 3_000)
    // In the drain: a person's /start and tap arrive by webhook, are recorded and handled as usual.
    const confirmation = await tap(telegram, galliard, "agency", "📈 Привлечь клиентов")
    expect(confirmation.text).toContain("Привлечь клиентов")
    // After it, while the lead's delivery still runs: the route answers 503, so Telegram keeps the update.
    const late = JSON.stringify({
      update_id: 987_654,
      message: { message_id: 1, date: 0, chat: { id: 1, type: "private" } }
    })
    const status = await until("the webhook route closed", async () => {
      const answer = await fetch(webhook.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
        body: late
      }).then((r) => r.status, () => 0)
      return answer === 503 ? answer : undefined
    }, 5_000)
    expect(status).toBe(503)
    expect(bot.child.exitCode).toBe(null) // the delivery under way still finishes
    expect(await bot.exited).toBe(0)
    expect(crm.accepted).toHaveLength(1)
    expect(bot.output().stdout).toContain("webhook requests are still taken for 2 s (SHUTDOWN_DRAIN_SECONDS)")
  })

  it("kill -9 right after the webhook's 200: after a restart the person is confirmed, the lead delivered", async () => {
    const { crm, telegram } = await world()
    const webhook = await webhookEnv()
    const env = { ...botEnv(telegram, crm), ...webhook.env, LOG_LEVEL: "info" }
    const workDir = makeTempDir("webhook-crash")
    const isConfirmation = (method: string, body: Record<string, unknown>) =>
      method === "sendMessage" && Number(body.chat_id) === galliard.id && String(body.text).startsWith("✅ Принято")
    telegram.hold = isConfirmation

    const first = spawn(env, workDir)
    telegram.sendText(galliard, "/start agency")
    await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0], 20_000)
    telegram.tap(galliard, "📈 Привлечь клиентов")
    const tapId = telegram.lastUpdate
    await telegram.waitFor(
      "the tap answered 200",
      () => telegram.webhookAttempts.some((a) => a.updateId === tapId && a.outcome === 200)
    )
    first.child.kill("SIGKILL")
    expect(await first.exited).toBe(null)
    expect(crm.accepted).toHaveLength(0)

    telegram.hold = undefined
    spawn(env, workDir)
    const confirmation = await telegram.waitFor(
      "the confirmation after the restart",
      () => telegram.botMessages(galliard.id).find((m) => m.text.startsWith("✅ Принято")),
      20_000
    )
    expect(confirmation.text).toContain("Привлечь клиентов")
    await telegram.waitFor("the lead in the CRM", () => crm.accepted[0], 10_000)
    expect(crm.accepted).toHaveLength(1)
    // The tap was answered 200 once: Telegram never sent it again; the inbox had it.
    expect(telegram.webhookAttempts.filter((a) => a.updateId === tapId)).toHaveLength(1)
  })

  it("LOG_FORMAT=json: every line is one JSON object; no token, secret or webhook path in any", async () => {
    const { crm, telegram } = await world()
    const webhook = await webhookEnv()
    const bot: BotProcess = spawn({ ...botEnv(telegram, crm), ...webhook.env, LOG_FORMAT: "json", LOG_LEVEL: "info" })
    await crm.setMode({ kind: "status", status: 500 })
    await tap(telegram, galliard, "agency", "📈 Привлечь клиентов")
    await telegram.waitFor("the fallback", () => telegram.admin[0], 10_000)
    await fetch(webhook.url, { method: "POST", body: "{}" }) // a wrong secret: a warning line
    await until("the warning", async () => (bot.output().stdout.includes("wrong secret") ? true : undefined))
    bot.child.kill("SIGTERM")
    expect(await bot.exited).toBe(0)
    const { stderr, stdout } = bot.output()
    const lines = (stdout + stderr).split("\n").filter((l) => l !== "")
    expect(lines.length).toBeGreaterThan(5)
    for (const line of lines) {
      const entry = JSON.parse(line)
      expect(entry).toMatchObject({ time: expect.any(String), level: expect.any(String), message: expect.any(String) })
      expect(line).not.toContain(telegram.token)
      expect(line).not.toContain(WEBHOOK_SECRET)
      expect(line).not.toContain(WEBHOOK_PATH)
      expect(line).not.toContain("secret-test-token")
    }
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ level: "WARN", lead: expect.any(String) })
    )
  })
})
