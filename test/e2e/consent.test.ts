import { createHash } from "node:crypto"

import { Effect, Metric, MetricState } from "effect"
import { afterEach, describe, expect, it } from "vitest"

import type { SimUser } from "../../sim/TelegramSim.js"
import { consentsGiven, peopleForgotten } from "../../src/metrics/metrics.js"
import { startOnLocales } from "../support/botProcess.js"
import { CONSENT, localesFileWith } from "../support/locales.js"
import { galliard, maria } from "../support/people.js"
import { createDatabase, postgresMissing } from "../support/postgres.js"
import { type Harness, startHarness } from "../support/runBot.js"
import { personRows, type StoreAt, storeRows } from "../support/storeRows.js"

const SERVICE = "📈 Привлечь клиентов"
const consentText = (brand: string) =>
  `Согласие на обработку персональных данных\nЯ даю согласие ${brand} на обработку моих данных.`
const withConsent = (version: string = CONSENT.version) =>
  localesFileWith((j) => {
    j.consent = { ...CONSENT, version }
    j.campaigns = { vk_spring: { utm_source: "vk", utm_campaign: "spring26" } }
  })

/** A counter's value in this process (the harness runs the bot here): the tests compare before and after. */
const counted = (metric: typeof consentsGiven, key: string, value: string) =>
  Effect.runSync(
    Metric.value(Metric.tagged(metric, key, value)).pipe(
      Effect.map((state) => (MetricState.isCounterState(state) ? Number(state.count) : NaN))
    )
  )

const stores: ReadonlyArray<readonly [string, string | undefined]> = [
  ["SQLite", undefined],
  ["PostgreSQL", postgresMissing]
]

for (const [kind, missing] of stores) {
  describe.skipIf(missing)(`consent as its own step (152-FZ), on ${kind}${missing ? ` (${missing})` : ""}`, () => {
    let h: Harness
    let drop = async () => {}
    let store: StoreAt
    afterEach(async () => {
      await h.stop()
      await drop()
    })
    const start = async (env: Record<string, string> = {}) => {
      if (kind === "PostgreSQL") {
        const db = await createDatabase()
        drop = db.drop
        h = await startHarness({ DATABASE_URL: db.url, ...env })
        store = { url: db.url }
      } else {
        h = await startHarness(env)
        store = { dataDir: h.dataDir }
      }
    }
    const consentMessage = (person: SimUser, count = 1) =>
      h.telegram.waitFor(
        "the consent message",
        () => h.telegram.botMessages(person.id).filter((m) => m.text.startsWith("Согласие"))[count - 1]
      )
    const menuOf = (person: SimUser) =>
      h.telegram.waitFor(
        "the brand's menu",
        () => h.telegram.botMessages(person.id).find((m) => m.keyboard.flat().some((b) => b.text === SERVICE))
      )

    it(
      "the consent first, nothing kept before the accept, a tap and a contact refused; the menu and the campaign after",
      async () => {
        await start({ LOCALES_PATH: withConsent() })
        h.telegram.sendText(galliard, "/start agency-vk_spring")
        const asked = await consentMessage(galliard)
        expect(asked.text).toBe(consentText("MONSTER AGENCY"))
        const [[policy], [accept]] = asked.keyboard as unknown as [[{ url: string }], [{ text: string }]]
        expect(policy.url).toBe(CONSENT.policy_url)
        expect(accept.text).toBe("✅ Согласен")
        expect(h.telegram.botMessages(galliard.id).some((m) => m.keyboard.flat().some((b) => b.text === SERVICE)))
          .toBe(false)

        // A service button of an old menu, and a phone, before the accept: refused, nothing recorded.
        const early = h.telegram.tapData(galliard, asked.message_id, "lead:agency:clients")
        await h.telegram.waitFor("the tap's pop-up", () => h.telegram.answeredQueries.has(early))
        expect(h.telegram.answeredQueries.get(early)).toMatch(/^Сначала дайте согласие/)
        await consentMessage(galliard, 2)
        h.telegram.sendContact(galliard, "+79991234567")
        await consentMessage(galliard, 3)
        expect(h.telegram.botMessages(galliard.id).some((m) => m.text.startsWith("Сначала дайте согласие"))).toBe(true)
        const before = await personRows(store, galliard.id)
        expect(before).toMatchObject({ leads: 0, start_events: 0, follow_ups: 0, latest_leads: 0, consents: 0 })
        expect(before.consent_steps).toBe(1)

        // The accept: logged with the hash of the very text shown; the brand's menu as if the /start had just come.
        const acceptsBefore = counted(consentsGiven, "result", "accepted")
        h.telegram.tap(galliard, "✅ Согласен")
        await menuOf(galliard)
        expect(counted(consentsGiven, "result", "accepted") - acceptsBefore).toBe(1)
        const [logged] = await storeRows(store, (sql) => sql`SELECT * FROM consents WHERE telegram_id = ${galliard.id}`)
        const shown =
          `<b>Согласие на обработку персональных данных</b>\nЯ даю согласие MONSTER AGENCY на обработку моих данных.`
        expect(logged).toMatchObject({
          version: CONSENT.version,
          text_sha256: createHash("sha256").update(shown).digest("hex"),
          how: "button",
          withdrawn_at: null
        })
        h.telegram.tap(galliard, SERVICE)
        const body = await h.telegram.waitFor(
          "the CRM's lead",
          () => h.crm.accepted[0]?.body as Record<string, unknown>
        )
        expect(body.campaign).toBe("vk_spring")
        expect(body.utm).toEqual({ utm_source: "vk", utm_campaign: "spring26" })
      },
      60_000
    )

    it("a new version asks again at the next /start; the earlier lead stays", async () => {
      await start({ LOCALES_PATH: withConsent("2025-09-01") })
      h.telegram.sendText(maria, "/start cg")
      await consentMessage(maria)
      h.telegram.tap(maria, "✅ Согласен")
      await h.telegram.waitFor(
        "cg's menu",
        () => h.telegram.botMessages(maria.id).find((m) => m.keyboard.flat().some((b) => b.text === "🤖 AI-видео"))
      )
      h.telegram.tap(maria, "🤖 AI-видео")
      await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted[0])
      await h.restart({ LOCALES_PATH: withConsent("2026-01-15") })
      h.telegram.sendText(maria, "/start cg")
      const again = await consentMessage(maria, 2)
      expect((await personRows(store, maria.id)).leads).toBe(1)
      // The first message's accept names the old text: the current one is shown instead, and nothing is logged.
      const first = await consentMessage(maria, 1)
      const oldAccept = first.keyboard.flat().find((b) => b.text === "✅ Согласен")!
      const old = h.telegram.tapData(maria, first.message_id, oldAccept.callback_data!)
      await h.telegram.waitFor("the old accept's pop-up", () => h.telegram.answeredQueries.has(old))
      const current = await consentMessage(maria, 3)
      h.telegram.tap(maria, "✅ Согласен")
      await h.telegram.waitFor(
        "cg's menu again",
        () => h.telegram.botMessages(maria.id).filter((m) => m.keyboard.flat().some((b) => b.text === "🤖 AI-видео"))[1]
      )
      expect(again.text).toBe(current.text)
      const versions = await storeRows(store, (sql) => sql`SELECT version FROM consents ORDER BY accepted_at`)
      expect(versions.map((r) => r.version)).toEqual(["2025-09-01", "2026-01-15"])
    }, 60_000)

    it(
      "/mydata lists exactly what the store holds; /forget deletes it, cleans the managers' chat, keeps the withdrawal",
      async () => {
        await start({ LOCALES_PATH: withConsent() })
        await h.crm.setMode({ kind: "refused" })
        h.telegram.sendText(galliard, "/start agency")
        await consentMessage(galliard)
        h.telegram.tap(galliard, "✅ Согласен")
        await menuOf(galliard)
        h.telegram.tap(galliard, SERVICE)
        const fallback = await h.telegram.waitFor(
          "the fallback",
          () => h.telegram.admin.find((m) => m.text.includes("@"))
        )
        h.telegram.sendText(galliard, "https://site.example")
        await h.telegram.waitFor("the smart edit", () => fallback.edits.length === 1)

        h.telegram.sendText(galliard, "/mydata")
        const mine = await h.telegram.waitFor(
          "/mydata's answer",
          () => h.telegram.botMessages(galliard.id).find((m) => m.text.startsWith("Что бот хранит о вас"))
        )
        const kept = await personRows(store, galliard.id)
        expect(kept).toMatchObject({ leads: 1, follow_ups: 1, consents: 1 })
        expect(mine.text).toContain("Заявки (1):\n• MONSTER AGENCY — Привлечь клиентов")
        expect(mine.text).toContain("передана менеджерам в Telegram")
        expect(mine.text).toContain(`Ваших сообщений после заявок: ${kept.follow_ups}`)
        expect(mine.text).toContain(`Переходов по ссылкам брендов: ${kept.start_events}`)
        expect(mine.text).toContain(`• версия ${CONSENT.version}: дано`)

        h.telegram.sendText(galliard, "/forget")
        await h.telegram.waitFor(
          "the question",
          () => h.telegram.botMessages(galliard.id).find((m) => m.text.startsWith("Удалить всё"))
        )
        const forgottenBefore = counted(peopleForgotten, "by", "person")
        h.telegram.tap(galliard, "🗑 Да, удалить")
        await h.telegram.waitFor(
          "forgotten",
          () => h.telegram.botMessages(galliard.id).find((m) => m.text.startsWith("🗑 Готово"))
        )
        await h.telegram.waitFor(
          "the fallback cleaned",
          () => fallback.text.startsWith("🗑 Данные удалены по запросу человека")
        )
        expect(fallback.text).toBe("🗑 Данные удалены по запросу человека\nMONSTER AGENCY · Привлечь клиентов")
        expect(fallback.keyboard).toEqual([])
        const notice = await h.telegram.waitFor(
          "the managers' notice",
          () => h.telegram.admin.find((m) => m.text.startsWith("🗑 Человек удалил свои данные"))
        )
        expect(notice.text).toContain(
          "Были здесь (если вносили в CRM вручную — удалите там):\n• MONSTER AGENCY · Привлечь клиентов"
        )
        for (const m of h.telegram.admin) expect(m.text).not.toMatch(/Galliard|betterrman|site\.example/)
        await h.telegram.waitFor("counted", () => counted(peopleForgotten, "by", "person") - forgottenBefore === 1)
        expect(await personRows(store, galliard.id)).toEqual({
          leads: 0,
          start_events: 0,
          latest_leads: 0,
          follow_ups: 0,
          relays: 0,
          person_topics: 0,
          admin_messages: 0,
          consent_steps: 0,
          consents: 1
        })
        const [withdrawn] = await storeRows(store, (sql) => sql`SELECT withdrawn_at FROM consents`)
        expect(withdrawn!.withdrawn_at).not.toBeNull()
        // A manager's reply to the old message reaches nobody, and says so.
        const reply = h.telegram.sendText(
          { id: 9001, first_name: "Анна" },
          "Вы здесь?",
          h.telegram.adminChatId,
          fallback.message_id
        )
        await h.telegram.waitFor("the notice", () => h.telegram.admin.find((m) => m.replyTo === reply.message_id))
      },
      60_000
    )

    it(
      "/forget while the lead is at the CRM: it is not kept, and the managers are told it reached the CRM",
      async () => {
        await start()
        await h.crm.setMode({ kind: "slow", ms: 1500 })
        h.telegram.sendText(galliard, "/start agency")
        // Without a consent section: the funnel as it always was, the menu first, no step kept.
        expect(await menuOf(galliard)).toBe(h.telegram.botMessages(galliard.id)[0])
        expect((await personRows(store, galliard.id)).consent_steps).toBe(0)
        h.telegram.tap(galliard, SERVICE)
        await h.telegram.waitFor("the lead on its way", () => h.crm.requests.length === 1, 10_000)
        h.telegram.sendText(galliard, "/forget")
        await h.telegram.waitFor(
          "the question",
          () => h.telegram.botMessages(galliard.id).find((m) => m.text.startsWith("Удалить всё"))
        )
        h.telegram.tap(galliard, "🗑 Да, удалить")
        await h.telegram.waitFor(
          "forgotten",
          () => h.telegram.botMessages(galliard.id).find((m) => m.text.startsWith("🗑 Готово"))
        )
        const late = await h.telegram.waitFor(
          "the managers told",
          () => h.telegram.admin.find((m) => m.text.includes("попал в CRM, пока данные человека удалялись")),
          15_000
        )
        expect(late.text).not.toMatch(/Galliard|betterrman/)
        expect((await personRows(store, galliard.id)).leads).toBe(0)
      },
      60_000
    )
  })
}

describe("a bad consent section, the bot as a process", () => {
  it.each<readonly [string, Record<string, unknown>, string]>([
    ["no https", { policy_url: "http://example.com/privacy" }, "consent.policy_url: expected an https:// URL"],
    ["bad HTML", { text: "<b>Согласие" }, "consent.text: not valid Telegram HTML"],
    ["an empty version", { version: "" }, "consent.version: expected a non-empty version"]
  ])("%s: start-up stops with one line naming its JSON path", async (_, change, reason) => {
    const locales = localesFileWith((j) => (j.consent = { ...CONSENT, ...change }))
    const { exitCode, lines } = await startOnLocales(locales)
    expect(exitCode).toBe(1)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`Cannot start: ${locales}: ${reason}`)
  }, 60_000)
})
