import { join } from "node:path"

import { Reactivity } from "@effect/experimental"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Exit, Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"

import type { SimUser } from "../../sim/TelegramSim.js"
import { boss, galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"
import { WEBHOOK_PATH, WEBHOOK_SECRET, webhookEnv } from "../support/webhookEnv.js"

const post = (url: string, body: string, secret?: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret })
    },
    body
  })

describe("webhook mode: Telegram pushes updates, the bot records each before answering 200", () => {
  let h: Harness
  afterEach(() => h.stop())

  const open = async (user: SimUser, brand: string, service: string) => {
    h.telegram.sendText(user, `/start ${brand}`)
    await h.telegram.waitFor("the menu", () => h.telegram.botMessages(user.id).find((m) => m.keyboard.length > 0))
    h.telegram.tap(user, service)
    return h.telegram.waitFor(
      "the confirmation",
      () => h.telegram.botMessages(user.id).find((m) => m.text.startsWith("✅"))
    )
  }

  it("setWebhook with the secret, no dropped updates; the three brands reach their CRMs; no getUpdates", async () => {
    const webhook = await webhookEnv()
    h = await startHarness(webhook.env)
    const set = h.telegram.calls.find((c) => c.method === "setWebhook")!
    expect(set.body).toMatchObject({
      url: webhook.url,
      secret_token: WEBHOOK_SECRET,
      allowed_updates: ["message", "callback_query"],
      max_connections: 40
    })
    expect(set.body.drop_pending_updates).toBeUndefined()
    await open(galliard, "agency", "📈 Привлечь клиентов")
    await open(maria, "cg", "🤖 AI-видео")
    await open(boss, "express", "💻 Сайт / Лендинг")
    await h.telegram.waitFor("three leads in the CRM", () => h.crm.accepted.length === 3)
    expect(h.crm.accepted.map((r) => r.path.split("/")[3]).sort()).toEqual(["agency", "cg", "express"])
    expect(h.telegram.calls.filter((c) => c.method === "getUpdates")).toHaveLength(0)
    expect(h.telegram.webhookAttempts.every((a) => a.outcome === 200)).toBe(true)
    expect(h.logs.join("\n")).not.toContain(WEBHOOK_PATH)
  })

  it("a fallback, then a follow-up edits it in place (smart edit)", async () => {
    h = await startHarness((await webhookEnv()).env)
    await h.crm.setMode({ kind: "refused" })
    await open(galliard, "agency", "📈 Привлечь клиентов")
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    h.telegram.sendText(galliard, "https://example.com")
    await h.telegram.waitFor("smart edit", () => fallback.edits.length === 1)
    expect(fallback.text.endsWith("📎 FOLLOW-UP:\nСообщение: https://example.com")).toBe(true)
  })

  it("wrong or no secret → 401, nothing recorded; not JSON or no update_id → 400; other paths 404/405", async () => {
    const webhook = await webhookEnv()
    h = await startHarness(webhook.env)
    const tap = JSON.stringify({
      update_id: 999_001,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 42, type: "private", first_name: "X" },
        from: { id: 42, is_bot: false, first_name: "X" },
        text: "/start agency",
        entities: [{ type: "bot_command", offset: 0, length: 6 }]
      }
    })
    expect((await post(webhook.url, tap)).status).toBe(401)
    expect((await post(webhook.url, tap, "wrong-secret")).status).toBe(401)
    expect((await post(webhook.url, "{not json", WEBHOOK_SECRET)).status).toBe(400)
    expect((await post(webhook.url, JSON.stringify({ update_id: "1" }), WEBHOOK_SECRET)).status).toBe(400)
    expect((await post(webhook.url, JSON.stringify({ message: {} }), WEBHOOK_SECRET)).status).toBe(400)
    expect((await post(`${webhook.base}/other`, tap, WEBHOOK_SECRET)).status).toBe(404)
    expect((await fetch(webhook.url)).status).toBe(405)
    // The right secret: recorded and answered. Had any request above been recorded, this one (the same update_id)
    // would be a repeat, never answered; so the menu is the only message chat 42 gets.
    expect((await post(webhook.url, tap, WEBHOOK_SECRET)).status).toBe(200)
    await h.telegram.waitFor("the menu for chat 42", () => h.telegram.botMessages(42)[0])
    expect(h.telegram.botMessages(42)).toHaveLength(1)
    // The warning about secrets came once (the bot runs in this process: its lines are in by the answers).
    expect(h.logs.filter((l) => l.includes("missing or wrong secret"))).toHaveLength(1)
  })

  it("a body over 1 MB → 413", async () => {
    const webhook = await webhookEnv()
    h = await startHarness(webhook.env)
    const huge = JSON.stringify({ update_id: 5, message: { text: "x".repeat(1_100_000) } })
    expect((await post(webhook.url, huge, WEBHOOK_SECRET)).status).toBe(413)
  })

  it("the same update delivered twice → one lead, one confirmation", async () => {
    h = await startHarness((await webhookEnv()).env)
    await open(galliard, "agency", "📈 Привлечь клиентов")
    const tap = h.telegram.lastUpdate
    await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted.length === 1)
    h.telegram.redeliver(tap)
    h.telegram.sendText(galliard, "/start cg") // a marker, in the same queue
    await h.telegram.waitFor(
      "the marker",
      () => h.telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER CG"))
    )
    expect(h.crm.requests).toHaveLength(1)
    expect(h.telegram.botMessages(galliard.id).filter((m) => m.text.startsWith("✅ Принято"))).toHaveLength(1)
  })

  it("a store that cannot record → 500, so Telegram sends the update again; handled once the store works", async () => {
    const webhook = await webhookEnv()
    h = await startHarness(webhook.env)
    // Another connection holds the store's write lock: the bot's INSERT waits out its busy timeout and fails.
    const scope = Effect.runSync(Scope.make())
    const other = await Effect.runPromise(
      SqliteClient.make({ filename: join(h.dataDir, "leads.sqlite") }).pipe(
        Scope.extend(scope),
        Effect.provide(Reactivity.layer)
      )
    )
    await Effect.runPromise(other`BEGIN EXCLUSIVE`)
    h.telegram.sendText(galliard, "/start agency")
    await h.telegram.waitFor("a 500", () => h.telegram.webhookAttempts.some((a) => a.outcome === 500), 15_000)
    expect(h.telegram.botMessages(galliard.id)).toHaveLength(0)
    expect(h.logs.some((l) => l.includes("not recorded") && l.includes("Telegram resends"))).toBe(true)
    await Effect.runPromise(other`COMMIT`.pipe(Effect.zipRight(Scope.close(scope, Exit.void))))
    await h.telegram.waitFor("the menu after the retry", () => h.telegram.botMessages(galliard.id)[0], 10_000)
  })
})
