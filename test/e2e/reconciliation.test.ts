import { afterEach, describe, expect, it } from "vitest"

import type { CrmRequest } from "../../sim/CrmSim.js"
import { freePort } from "../../sim/freePort.js"
import type { SimMessage, SimUser } from "../../sim/TelegramSim.js"
import { handledButton } from "../../src/telegram/buttons.js"
import { scrape } from "../support/metrics.js"
import { createDatabase, postgresMissing } from "../support/postgres.js"
import { type Harness, startHarness } from "../support/runBot.js"

const SERVICE = "📈 Привлечь клиентов"
const RECONCILED = /\n\n✅ Доставлено в CRM автоматически, \d\d\.\d\d\.\d{2,4},? \d\d:\d\d$/
const AMBIGUOUS = "Причина: CRM не ответила вовремя — лид может уже быть в CRM"
const manager: SimUser = { id: 900, first_name: "Ольга", username: "olga_manager" }

type Body = {
  lead_id: string
  contact: { telegram_id: number; phone?: string }
  follow_ups?: Array<{ text: string; at: number }>
}
const bodyOf = (request: CrmRequest) => request.body as Body
const telegramIdIn = (message: SimMessage) => Number(/Telegram ID: (\d+)/.exec(message.text)?.[1])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Where the store is: SQLite in the harness's data dir, or a PostgreSQL database of the test's own. */
const stores = [
  { name: "SQLite", skipped: undefined, env: async () => ({ env: {}, drop: async () => {} }) },
  {
    name: "PostgreSQL",
    skipped: postgresMissing,
    env: async () => {
      const db = await createDatabase()
      return { env: { DATABASE_URL: db.url }, drop: db.drop }
    }
  }
] as const

describe.each(stores)("reconciliation on $name: a fallback lead reaches its CRM once it is back", (store) => {
  let h: Harness
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    await h?.stop()
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  }, 60_000)

  /** The bot with reconciliation on its default (CRM_RECONCILE_HOURS unset: 72 h), on this store. */
  const start = async (env: Record<string, string | undefined> = {}) => {
    const { drop, env: storeEnv } = await store.env()
    cleanups.push(drop)
    const port = await freePort()
    h = await startHarness({ CRM_RECONCILE_HOURS: undefined, PORT: String(port), ...storeEnv, ...env })
    return port
  }
  const tap = async (user: SimUser) => {
    h.telegram.sendText(user, "/start agency")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(user.id)[0])
    h.telegram.tap(user, SERVICE)
    await h.telegram.waitFor("confirmation", () => h.telegram.botMessages(user.id)[1])
  }

  it.skipIf(store.skipped)(
    "the CRM down, 50 fallbacks; back: each once, with its follow-ups, every message edited; one marked is never sent",
    async () => {
      const port = await start()
      await h.crm.setMode({ kind: "refused" })
      const people = Array.from({ length: 50 }, (_, i) => ({ id: 7000 + i, first_name: `Person ${i}` }))
      for (const person of people) await tap(person)
      await h.telegram.waitFor("50 fallbacks", () => h.telegram.admin.length === 50 ? true : undefined, 30_000)
      const writers = people.slice(0, 10)
      for (const [i, person] of writers.entries()) h.telegram.sendText(person, `бриф ${i}: https://site${i}.example`)
      await h.telegram.waitFor(
        "the follow-ups edited in",
        () =>
          writers.every((p) => h.telegram.admin.find((m) => telegramIdIn(m) === p.id)!.text.includes("бриф")) ||
          undefined
      )
      // A manager enters the last one by hand before the CRM is back.
      const marked = h.telegram.admin.at(-1)!
      h.telegram.tap(manager, "✅ Внесено в CRM", h.telegram.adminChatId)
      await h.telegram.waitFor("the mark", () => marked.text.includes("✅ Внесено в CRM: @olga_manager") || undefined)
      const before = await scrape(port)
      expect(before.get(`leadbot_leads_awaiting_crm{brand="agency"}`)).toBe(49)
      expect(before.get(`leadbot_leads_awaiting_crm{brand="cg"}`)).toBe(0)

      await h.crm.setMode({ kind: "ok" })
      await h.telegram.waitFor("49 leads in the CRM", () => h.crm.made.length >= 49 || undefined, 90_000)
      await h.telegram.waitFor(
        "every message edited",
        () => h.telegram.admin.filter((m) => RECONCILED.test(m.text)).length === 49 || undefined,
        30_000
      )
      await sleep(1500) // nothing more comes
      const leadIds = h.crm.accepted.map((r) => bodyOf(r).lead_id)
      expect(new Set(leadIds).size).toBe(49)
      expect(leadIds).toHaveLength(49) // each exactly once: no repeat even of those sent while the CRM was down
      expect(h.crm.accepted.map((r) => bodyOf(r).contact.telegram_id)).not.toContain(telegramIdIn(marked))
      for (const [i, writer] of writers.entries()) {
        const sent = h.crm.accepted.find((r) => bodyOf(r).contact.telegram_id === writer.id)!
        expect(bodyOf(sent).follow_ups?.map((f) => f.text)).toEqual([`бриф ${i}: https://site${i}.example`])
      }
      for (const message of h.telegram.admin.filter((m) => m !== marked)) {
        expect(message.text).toMatch(RECONCILED)
        expect(message.keyboard.flat().map((b) => b.text)).toEqual(["🙋 Беру"])
      }
      expect(marked.text).not.toMatch(/Доставлено в CRM автоматически/)
      const after = await scrape(port)
      expect(after.get(`leadbot_leads_awaiting_crm{brand="agency"}`)).toBe(0)
      expect(after.get(`leadbot_leads_reconciled_total{brand="agency"}`)).toBe(
        (before.get(`leadbot_leads_reconciled_total{brand="agency"}`) ?? 0) + 49
      )

      // /pending: nothing left to enter by hand.
      h.telegram.sendText(manager, "/pending", h.telegram.adminChatId)
      const pending = await h.telegram.waitFor(
        "/pending",
        () => h.telegram.chat(h.telegram.adminChatId).find((m) => m.text.includes("Все лиды дошли до людей"))
      )
      expect(pending.text).not.toContain("Ждут внесения в CRM вручную")

      // A press from an older copy of a reconciled lead's message (its button is gone now): in the CRM already.
      const reconciled = h.telegram.admin.find((m) => m !== marked)!
      const leadId = bodyOf(h.crm.accepted.find((r) => bodyOf(r).contact.telegram_id === telegramIdIn(reconciled))!)
        .lead_id
      const press = h.telegram.tapData(manager, reconciled.message_id, handledButton(leadId), h.telegram.adminChatId)
      await h.telegram.waitFor("the answer", () => h.telegram.answeredQueries.has(press) || undefined)
      expect(h.telegram.answeredQueries.get(press)).toBe("Этот лид уже в CRM (доставлен автоматически)")
    },
    180_000
  )

  it.skipIf(store.skipped)(
    "a press while the attempt is on its way: the CRM took it, so the message says both",
    async () => {
      await start()
      await h.crm.setMode({ kind: "status", status: 500 })
      await tap({ id: 7100, first_name: "Slow" })
      const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
      const sent = h.crm.requests.length
      await h.crm.setMode({ kind: "slow", ms: 3000 })
      await h.telegram.waitFor("an attempt on its way", () => h.crm.requests.length > sent || undefined, 15_000)
      h.telegram.tap(manager, "✅ Внесено в CRM", h.telegram.adminChatId)
      await h.telegram.waitFor(
        "both said",
        () =>
          fallback.text.includes("⚠️ Лид попал в CRM автоматически, а его также внесли вручную — проверьте дубль") ||
          undefined,
        15_000
      )
      expect(fallback.text).toContain("✅ Внесено в CRM: @olga_manager")
      expect(fallback.text).toMatch(/✅ Доставлено в CRM автоматически, /)
      expect(h.crm.made).toHaveLength(1)
    },
    60_000
  )

  it.skipIf(store.skipped)(
    "a timeout after the CRM took the lead: said as such, and no second lead at a CRM that dedupes",
    async () => {
      await start({ CRM_TIMEOUT_MS: "800" })
      await h.crm.setMode({ kind: "acceptThenHang" })
      await tap({ id: 7200, first_name: "Lost" })
      const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0], 15_000)
      expect(fallback.text).toContain(AMBIGUOUS)
      await h.crm.setMode({ kind: "ok" })
      await h.telegram.waitFor("reconciled", () => RECONCILED.test(fallback.text) || undefined, 30_000)
      const keys = h.crm.requests.map((r) => r.headers["idempotency-key"])
      expect(keys.length).toBeGreaterThanOrEqual(2)
      expect(new Set(keys)).toEqual(new Set([bodyOf(h.crm.requests[0]!).lead_id]))
      expect(new Set(h.crm.requests.map((r) => bodyOf(r).lead_id)).size).toBe(1)
      expect(h.crm.made).toHaveLength(1)
    },
    60_000
  )

  it.skipIf(store.skipped)(
    "CRM_RECONCILE_HOURS=0: the CRM back, the fallback stays the managers' (today's behaviour)",
    async () => {
      await start({ CRM_RECONCILE_HOURS: "0" })
      await h.crm.setMode({ kind: "status", status: 500 })
      await tap({ id: 7300, first_name: "Old" })
      const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
      await h.crm.setMode({ kind: "ok" })
      await sleep(6000)
      expect(h.crm.requests).toHaveLength(1)
      expect(h.crm.made).toHaveLength(0)
      expect(fallback.edits).toHaveLength(0)
      expect(fallback.keyboard.flat().map((b) => b.text)).toContain("✅ Внесено в CRM")
    },
    30_000
  )
})
