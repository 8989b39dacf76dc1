import { spawnSync } from "node:child_process"
import { join } from "node:path"

import { afterEach, describe, expect, it } from "vitest"

import { makeTempDir } from "../../sim/tempDirs.js"
import { galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const manager = { id: 900, first_name: "Ольга", username: "olga_manager" }

describe("leads survive restarts, and each intent is one lead", () => {
  let h: Harness
  afterEach(() => h.stop())

  const tapAgency = async (user = galliard) => {
    h.telegram.sendText(user, "/start agency")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(user.id).find((m) => m.keyboard.length > 0))
    h.telegram.tap(user, "📈 Привлечь клиентов")
    return h.telegram.waitFor(
      "confirmation",
      () => h.telegram.botMessages(user.id).find((m) => m.text.startsWith("✅ Принято"))
    )
  }

  it("the same update delivered twice, and again after a restart → one lead", async () => {
    h = await startHarness()
    await tapAgency()
    const tap = h.telegram.lastUpdate
    await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted.length === 1)
    h.telegram.redeliver(tap)
    h.telegram.sendText(galliard, "/start cg") // a marker: once this is answered, the redelivery was seen
    await h.telegram.waitFor(
      "the marker",
      () => h.telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER CG"))
    )
    await h.restart()
    h.telegram.redeliver(tap)
    h.telegram.sendText(galliard, "/start express")
    await h.telegram.waitFor(
      "the second marker",
      () => h.telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER EXPRESS"))
    )
    expect(h.crm.requests).toHaveLength(1)
    expect(h.telegram.botMessages(galliard.id).filter((m) => m.text.startsWith("✅ Принято"))).toHaveLength(1)
  })

  it("repeat taps across a restart → one lead", async () => {
    h = await startHarness()
    await tapAgency()
    await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted.length === 1)
    await h.restart()
    const again = h.telegram.tap(galliard, "📈 Привлечь клиентов")
    await h.telegram.waitFor("the answer", () => h.telegram.answeredQueries.has(again))
    expect(h.telegram.answeredQueries.get(again)).toBe("✅ Эта заявка уже принята.")
    expect(h.crm.requests).toHaveLength(1)
  })

  it("after a restart a follow-up still finds its lead and edits the same admin message", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    await h.restart()
    h.telegram.sendText(galliard, "https://example.com")
    await h.telegram.waitFor("smart edit", () => fallback.edits.length === 1)
    expect(fallback.text.endsWith("📎 FOLLOW-UP:\nСообщение: https://example.com")).toBe(true)
    expect(h.telegram.admin).toHaveLength(1)
  })

  it("a follow-up queued while the admin chat was down reaches it after a restart", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    await tapAgency()
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    h.telegram.adminFault = { kind: "500", times: 1_000 }
    h.telegram.sendText(galliard, "https://late.example")
    await h.telegram.waitFor(
      "the thanks",
      () => h.telegram.botMessages(galliard.id).some((m) => m.text.includes("Спасибо"))
    )
    await h.telegram.waitFor("a failed edit", () => h.telegram.calls.some((c) => c.method === "editMessageText"))
    await h.restart()
    h.telegram.adminFault = { kind: "ok" }
    await h.telegram.waitFor("the smart edit after the restart", () => fallback.edits.length === 1, 15_000)
    expect(fallback.text.endsWith("Сообщение: https://late.example")).toBe(true)
  })

  it("a backup while the bot runs (sqlite3's VACUUM INTO, as docs/operating.md says) holds the leads", async () => {
    h = await startHarness()
    await tapAgency()
    await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted.length === 1)
    const backup = join(makeTempDir("backup"), "backup.sqlite")
    const sqlite3 = spawnSync("sqlite3", [join(h.dataDir, "leads.sqlite"), `VACUUM INTO '${backup}'`], {
      encoding: "utf8"
    })
    expect(sqlite3.error).toBeUndefined()
    expect(sqlite3.stderr).toBe("")
    const count = spawnSync("sqlite3", [backup, "SELECT COUNT(*), MAX(outcome) FROM leads"], { encoding: "utf8" })
    expect(count.stdout.trim()).toBe("1|crm")
    h.telegram.sendText(maria, "/start cg")
    await h.telegram.waitFor("the bot still answering", () => h.telegram.botMessages(maria.id)[0])
  })

  it("a lead recorded while the admin chat was down is delivered after a restart", async () => {
    h = await startHarness()
    await h.crm.setMode({ kind: "refused" })
    h.telegram.adminFault = { kind: "500", times: 1_000 }
    await tapAgency()
    await h.telegram.waitFor(
      "a failed fallback",
      () =>
        h.telegram.calls.some((c) => c.method === "sendMessage" && Number(c.body.chat_id) === h.telegram.adminChatId)
    )
    await h.restart()
    h.telegram.adminFault = { kind: "ok" }
    await h.crm.setMode({ kind: "ok" })
    const lead = await h.telegram.waitFor("the lead in the CRM after the restart", () => h.crm.accepted[0], 15_000)
    expect(lead.body).toMatchObject({ request_details: "Привлечь клиентов" })
    expect(h.telegram.admin).toHaveLength(0)
  })
})

describe("managers' tools in the admin chat", () => {
  let h: Harness
  afterEach(() => h.stop())

  it("“✅ Внесено в CRM”: a manager's tap marks the lead, says who; a person's tap elsewhere is refused", async () => {
    h = await startHarness({ ADMIN_TIMEZONE: "UTC" })
    await h.crm.setMode({ kind: "status", status: 500 })
    h.telegram.sendText(maria, "/start cg")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(maria.id)[0])
    h.telegram.tap(maria, "🤖 AI-видео")
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    expect(fallback.keyboard.flat().map((b) => b.text)).toEqual(["✅ Внесено в CRM", "🙋 Беру"])
    const data = fallback.keyboard[0]![0]!.callback_data!

    const outsider = h.telegram.tapData(maria, fallback.message_id, data)
    await h.telegram.waitFor("refusal", () => h.telegram.answeredQueries.has(outsider))
    expect(h.telegram.answeredQueries.get(outsider)).toBe("Эта кнопка — для менеджеров в рабочем чате.")
    expect(fallback.edits).toHaveLength(0)

    const tap = h.telegram.tap(manager, "✅ Внесено в CRM", h.telegram.adminChatId)
    await h.telegram.waitFor("the handled mark", () => fallback.edits.length === 1)
    expect(h.telegram.answeredQueries.get(tap)).toBe("✅ Отмечено: лид внесён в CRM.")
    expect(fallback.text).toMatch(/\n\n✅ Внесено в CRM: @olga_manager, \d\d\.\d\d\.\d{2,4},? \d\d:\d\d$/)
    expect(fallback.keyboard.flat().map((b) => b.text)).toEqual(["🙋 Беру"])

    // A follow-up after that keeps the mark.
    h.telegram.sendText(maria, "референсы: https://ref.example")
    await h.telegram.waitFor("smart edit", () => fallback.edits.length === 2)
    expect(fallback.text).toContain("Сообщение: референсы: https://ref.example\n\n✅ Внесено в CRM: @olga_manager")
  })

  it("/pending in the admin chat when every lead reached a human", async () => {
    h = await startHarness()
    h.telegram.sendText(manager, "/pending", h.telegram.adminChatId)
    const reply = await h.telegram.waitFor("reply", () => h.telegram.admin[0])
    expect(reply.text).toBe("✅ Все лиды дошли до людей: ожидающих нет.")
  })
})
