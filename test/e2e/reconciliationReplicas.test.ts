import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { freePort } from "../../sim/freePort.js"
import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { botEnv } from "../../sim/world.js"
import { createDatabase, postgresMissing } from "../support/postgres.js"
import { untilReady } from "../support/until.js"

const SERVICE = "📈 Привлечь клиентов"
const RECONCILED = /\n\n✅ Доставлено в CRM автоматически, /
const leadIdOf = (body: unknown) => (body as { lead_id: string }).lead_id

/**
 * Reconciliation with two replicas on one PostgreSQL database, one killed (SIGKILL) while the CRM takes the backlog:
 * the other takes its leads over once their leases lapse (DELIVERY_LEASE_SECONDS=3), and every lead reaches the CRM
 * once; only a request under way at the kill may be sent again, with the same Idempotency-Key.
 */
describe.skipIf(postgresMissing)(
  `reconciliation on two replicas${postgresMissing ? ` (${postgresMissing})` : ""}`,
  () => {
    const cleanups: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    }, 60_000)

    const stop = async (bot: BotProcess) => {
      bot.child.kill("SIGTERM")
      const timer = setTimeout(() => bot.child.kill("SIGKILL"), 20_000)
      await bot.exited
      clearTimeout(timer)
    }

    it("a replica killed during reconciliation: all 50 in the CRM once, every message edited", async () => {
      const telegram = await TelegramSim.start()
      const crm = await CrmSim.start()
      const db = await createDatabase()
      cleanups.push(() => telegram.close(), () => crm.close(), db.drop)
      const env = { ...botEnv(telegram, crm), DATABASE_URL: db.url, DELIVERY_LEASE_SECONDS: "3", LOG_LEVEL: "Info" }
      const ports = [await freePort(), await freePort()]
      const bots = ports.map((port) => spawnBot({ ...env, PORT: String(port) }))
      cleanups.push(async () => {
        for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) await stop(bot)
      })
      await Promise.all(ports.map((port) => untilReady(port)))

      await crm.setMode({ kind: "refused" })
      const people = Array.from({ length: 50 }, (_, i) => ({ id: 8000 + i, first_name: `Person ${i}` }))
      for (const person of people) telegram.sendText(person, "/start agency")
      await telegram.waitFor("the menus", () => people.every((p) => telegram.botMessages(p.id).length > 0), 30_000)
      for (const person of people) telegram.tap(person, SERVICE)
      await telegram.waitFor("50 fallbacks", () => telegram.admin.length === 50 || undefined, 60_000)

      // The CRM back, a little slow: the backlog takes a while, and a replica dies in the middle of it.
      await crm.setMode({ kind: "slow", ms: 300 })
      await telegram.waitFor("a part of the backlog in", () => crm.made.length >= 10 || undefined, 60_000)
      bots[0]!.child.kill("SIGKILL")
      expect(await bots[0]!.exited).toBe(null)
      await telegram.waitFor("all 50 in the CRM", () => crm.made.length >= 50 || undefined, 120_000)
      await telegram.waitFor(
        "every message edited",
        () => telegram.admin.every((m) => RECONCILED.test(m.text)) || undefined,
        60_000
      )

      const made = crm.made.map((r) => leadIdOf(r.body))
      expect(new Set(made).size).toBe(50)
      expect(made).toHaveLength(50)
      // Sent again only what was under way at the kill (at most a batch of that replica), with the same key.
      const requests = new Map<string, number>()
      for (const r of crm.requests) {
        requests.set(leadIdOf(r.body), (requests.get(leadIdOf(r.body)) ?? 0) + 1)
        expect(r.headers["idempotency-key"]).toBe(leadIdOf(r.body))
      }
      // Each lead: its first try while the CRM was refused never arrived; the rest is reconciliation.
      const repeated = [...requests.values()].filter((n) => n > 1)
      expect(repeated.length).toBeLessThanOrEqual(5)
      expect(Math.max(...requests.values())).toBeLessThanOrEqual(2)
    }, 300_000)
  }
)
