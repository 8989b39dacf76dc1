import { afterEach, describe, expect, it } from "vitest"

import { boss, galliard } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const FALLBACK_HEAD = "⚠️ [FALLBACK - CRM НЕДОСТУПНА] ⚠️\n\n🔥 НОВЫЙ ЛИД: MONSTER AGENCY 🔥"

describe("CRM failures fall back to the admin chat; the person sees the same confirmation", () => {
  let h: Harness
  afterEach(() => h.stop())

  const tapAgency = async (user = galliard) => {
    h.telegram.sendText(user, "/start agency")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(user.id)[0])
    h.telegram.tap(user, "📈 Привлечь клиентов")
    return h.telegram.waitFor("confirmation", () => h.telegram.botMessages(user.id)[1])
  }

  it("refused: fallback with the reason, then a follow-up edits it in place (smart edit), twice", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    const confirmation = await tapAgency()
    expect(confirmation.text).toMatch(/^✅ Принято: Привлечь клиентов\./)

    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    expect(fallback.text.startsWith(FALLBACK_HEAD)).toBe(true)
    expect(fallback.text).toContain(
      "--- ДАННЫЕ ДЛЯ CRM ---\nЗапрос: Привлечь клиентов\nКонтакт: @betterrman\nИмя: Galliard"
    )
    expect(fallback.text).toContain("Причина: CRM-сервер недоступен (ошибка соединения)")
    expect(fallback.text).toContain("Задача:\n1. Внести лид в AmoCRM вручную.\n2. Связаться с клиентом в Telegram.")
    expect(fallback.text).not.toContain("secret-test-token")

    h.telegram.sendText(galliard, "https://example.com")
    await h.telegram.waitFor("smart edit", () => fallback.edits.length === 1)
    expect(fallback.text.startsWith("✅ ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!\n\n" + FALLBACK_HEAD)).toBe(true)
    expect(fallback.text.endsWith("📎 FOLLOW-UP:\nСообщение: https://example.com")).toBe(true)

    h.telegram.sendText(galliard, "и ещё бриф")
    await h.telegram.waitFor("second edit", () => fallback.edits.length === 2)
    expect(fallback.text.endsWith("📎 FOLLOW-UP:\nСообщение: https://example.com\nСообщение: и ещё бриф")).toBe(true)
    expect(h.telegram.admin).toHaveLength(1)
  })

  it("HTTP 500: fallback names the status", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "status", status: 500 })
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    expect(fallback.text).toContain("Причина: CRM ответила ошибкой: HTTP 500")
    expect(h.crm.requests).toHaveLength(1)
  })

  it("timeout: the confirmation comes while the CRM still hangs; the fallback after CRM_TIMEOUT_MS", async () => {
    h = await startHarness({ CRM_TIMEOUT_MS: "1500" })
    await h.crm.setMode({ kind: "hang" })
    await tapAgency()
    // The person is answered while the CRM request is still open.
    expect(h.crm.requests.length <= 1 && h.telegram.admin.length === 0).toBe(true)
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    // The CRM may have taken it: the managers check before entering it by hand.
    expect(fallback.text).toContain("Причина: CRM не ответила вовремя — лид может уже быть в CRM")
  })

  it("reset socket once the request was sent: the CRM may have the lead, and the fallback says so", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "reset" })
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    expect(fallback.text).toContain("Причина: CRM не ответила вовремя — лид может уже быть в CRM")
  })

  it("a hostile name and no username: shown literally, linked by id, never @None", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "status", status: 502 })
    await tapAgency(boss)
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    expect(fallback.text).toContain(`Имя: <b>Boss & Co</b> "Ltd"`)
    expect(fallback.html).toContain(
      `<a href="tg://user?id=${boss.id}">&lt;b&gt;Boss &amp; Co&lt;/b&gt; &quot;Ltd&quot;</a> (без username)`
    )
    expect(fallback.text).not.toContain("@None")
    expect(h.crm.requests[0]!.body).toMatchObject({ contact: { username: "", name: `<b>Boss & Co</b> "Ltd"` } })
  })

  it("429 on the admin chat: waits retry_after, then delivers", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "status", status: 500 })
    h.telegram.adminFault = { kind: "429", retryAfter: 1, times: 1 }
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback after the rate limit", () => h.telegram.admin[0])
    expect(fallback.text).toContain("FALLBACK")
    const adminSends = h.telegram.calls.filter((c) =>
      c.method === "sendMessage" && Number(c.body.chat_id) === h.telegram.adminChatId
    )
    expect(adminSends).toHaveLength(2)
    expect(adminSends[1]!.at - adminSends[0]!.at).toBeGreaterThanOrEqual(1000)
  })

  it("the admin chat failing too: the lead stays pending and arrives when it recovers", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    h.telegram.adminFault = { kind: "500", times: 2 }
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback after retries", () => h.telegram.admin[0], 15_000)
    expect(fallback.text).toContain("FALLBACK")
    expect(h.telegram.admin).toHaveLength(1)
    const failures = h.logs.filter((l) => l.includes("level=ERROR"))
    expect(failures).toHaveLength(2)
    expect(
      failures.every((l) =>
        l.includes("fallback failed too, the lead stays pending and will be retried: sendMessage failed: 500")
      )
    ).toBe(true)
  })

  it("the admin chat gone (bot removed): ERROR each time with what to do; delivered once it is back", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    h.telegram.adminChatGone = "kicked"
    await tapAgency()
    await h.telegram.waitFor(
      "two failed fallbacks",
      () => h.logs.filter((l) => l.includes("refuses the bot")).length >= 2,
      10_000
    )
    const failures = h.logs.filter((l) => l.includes("level=ERROR"))
    expect(failures.length).toBeGreaterThanOrEqual(2)
    for (const line of failures) {
      expect(line).toContain("403 Forbidden: bot was kicked")
      expect(line).toContain(`ADMIN_CHAT_ID=${h.telegram.adminChatId} refuses the bot; add the bot back to it`)
    }
    expect(h.telegram.admin).toHaveLength(0)
    h.telegram.adminChatGone = undefined
    const fallback = await h.telegram.waitFor("the fallback once the bot is back", () => h.telegram.admin[0], 15_000)
    expect(fallback.text).toContain("FALLBACK")
  })

  it("a follow-up sent before delivery finished is applied after it", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "slow", ms: 1000 })
    await tapAgency()
    h.telegram.sendText(galliard, "https://early.example")
    const forwarded = await h.telegram.waitFor("follow-up", () => h.telegram.admin[0])
    expect(h.crm.accepted).toHaveLength(1)
    expect(forwarded.text).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):\n\nhttps://early.example")
  })

  it("a follow-up that would pass 4096 characters becomes replies to the lead's message, nothing cut", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    const brief = Array.from({ length: 200 }, (_, i) => `строка ${i} брифа <важно> & срочно`).join("\n")
    expect(brief.length).toBeGreaterThan(4096)
    h.telegram.sendText(galliard, brief)
    await h.telegram.waitFor("replies", () => h.telegram.admin.length >= 3)
    const replies = h.telegram.admin.slice(1)
    expect(replies.every((m) => m.replyTo === fallback.message_id)).toBe(true)
    const body = replies.map((m) => m.text.split("\n\n").slice(1).join("\n\n")).join("\n")
    expect(body).toBe(brief)
    expect(fallback.edits).toHaveLength(0)
  })
})
