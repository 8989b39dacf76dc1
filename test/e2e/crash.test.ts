import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { galliard } from "../support/people.js"

describe("a lead the person saw confirmed survives kill -9", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it("killed between the lead and the person's confirmation; restarted → one confirmation, one lead", async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    const workDir = makeTempDir("crash")
    const env = { ...botEnv(telegram, crm), LOG_LEVEL: "Info" }
    const isConfirmation = (method: string, body: Record<string, unknown>) =>
      method === "sendMessage" && Number(body.chat_id) === galliard.id && String(body.text).startsWith("✅ Принято")
    // The confirmation's request reaches Telegram but is never carried out: the bot dies with it in flight.
    telegram.hold = isConfirmation

    const first = spawnBot(env, workDir)
    cleanups.push(async () => void first.child.kill("SIGKILL"))
    telegram.sendText(galliard, "/start agency")
    await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0], 20_000)
    telegram.tap(galliard, "📈 Привлечь клиентов")
    await telegram.waitFor(
      "the confirmation in flight",
      () => telegram.calls.some((c) => isConfirmation(c.method, c.body))
    )
    first.child.kill("SIGKILL")
    expect(await first.exited).toBe(null)
    expect(telegram.botMessages(galliard.id)).toHaveLength(1)

    telegram.hold = undefined
    const second = spawnBot(env, workDir)
    cleanups.push(async () => {
      second.child.kill("SIGTERM")
      await second.exited
    })
    const confirmation = await telegram.waitFor(
      "the owed confirmation",
      () => telegram.botMessages(galliard.id)[1],
      20_000
    )
    expect(confirmation.text).toMatch(/^✅ Принято: Привлечь клиентов\./)
    expect(confirmation.text).toContain("Чтобы ускорить процесс")
    await telegram.waitFor("the lead in the CRM", () => crm.accepted[0], 10_000)
    telegram.sendText(galliard, "/start cg") // a marker: once answered, the restarted bot is past the replay
    await telegram.waitFor(
      "the marker",
      () => telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER CG"))
    )
    expect(telegram.botMessages(galliard.id).filter((m) => m.text.startsWith("✅ Принято"))).toHaveLength(1)
    expect(crm.accepted).toHaveLength(1)
  })

  it("CRM down and admin chat 500; SIGKILL; restart with the CRM up → the CRM gets the lead exactly once", async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    const workDir = makeTempDir("crash")
    const env = {
      ...botEnv(telegram, crm),
      LOG_LEVEL: "Info"
    }
    await crm.setMode({ kind: "refused" })
    telegram.adminFault = { kind: "500", times: 1_000_000 }

    const first = spawnBot(env, workDir)
    cleanups.push(async () => void first.child.kill("SIGKILL"))
    telegram.sendText(galliard, "/start agency")
    await telegram.waitFor("menu", () => telegram.botMessages(galliard.id)[0], 20_000)
    telegram.tap(galliard, "📈 Привлечь клиентов")
    const confirmation = await telegram.waitFor("confirmation", () => telegram.botMessages(galliard.id)[1])
    expect(confirmation.text).toMatch(/^✅ Принято: Привлечь клиентов\./)
    await telegram.waitFor(
      "a failed fallback",
      () => telegram.calls.some((c) => c.method === "sendMessage" && Number(c.body.chat_id) === telegram.adminChatId)
    )
    first.child.kill("SIGKILL")
    expect(await first.exited).toBe(null)
    expect(crm.accepted).toHaveLength(0)

    await crm.setMode({ kind: "ok" })
    telegram.adminFault = { kind: "ok" }
    const second = spawnBot(env, workDir)
    cleanups.push(async () => {
      second.child.kill("SIGTERM")
      await second.exited
    })
    const lead = await telegram.waitFor("the lead in the CRM after the restart", () => crm.accepted[0], 20_000)
    expect(lead.body).toMatchObject({
      lead_name: "Новый лид с Telegram: MONSTER AGENCY",
      contact: { username: "@betterrman" },
      request_details: "Привлечь клиентов"
    })
    expect(lead.headers["idempotency-key"]).toBe((lead.body as { lead_id: string }).lead_id)
    // The restarted bot handles the same (unconfirmed) updates again from Telegram; still one lead.
    telegram.sendText(galliard, "/start cg")
    await telegram.waitFor(
      "the restarted bot answering",
      () => telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER CG"))
    )
    expect(crm.accepted).toHaveLength(1)
    expect(telegram.admin).toHaveLength(0)
    expect(second.output().stdout + second.output().stderr).not.toContain("secret-test-token")
  })
})
