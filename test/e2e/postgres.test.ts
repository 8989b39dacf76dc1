import { afterEach, describe, expect, it } from "vitest"

import { galliard, maria } from "../support/people.js"
import { createDatabase, postgresMissing } from "../support/postgres.js"
import { type Harness, startHarness } from "../support/runBot.js"

/** The same bot, the same funnel, on PostgreSQL (DATABASE_URL=postgres://…). */
describe.skipIf(postgresMissing)(`the bot on PostgreSQL${postgresMissing ? ` (${postgresMissing})` : ""}`, () => {
  let h: Harness
  let drop: () => Promise<void>
  afterEach(async () => {
    await h.stop()
    await drop()
  })

  it("leads recorded, confirmed and delivered; a fallback's smart edit; all of it kept across a restart", async () => {
    const db = await createDatabase()
    drop = db.drop
    h = await startHarness({ DATABASE_URL: db.url })
    expect(h.logs.some((l) => l.includes("lead store: PostgreSQL at postgres://"))).toBe(true)
    h.telegram.sendText(galliard, "/start agency")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(galliard.id)[0])
    h.telegram.tap(galliard, "📈 Привлечь клиентов")
    await h.telegram.waitFor("the lead in the CRM", () => h.crm.accepted[0])

    await h.crm.setMode({ kind: "refused" })
    h.telegram.sendText(maria, "/start cg")
    await h.telegram.waitFor("menu", () => h.telegram.botMessages(maria.id)[0])
    h.telegram.tap(maria, "🤖 AI-видео")
    const fallback = await h.telegram.waitFor("fallback", () => h.telegram.admin[0])
    await h.restart()
    h.telegram.sendText(maria, "https://refs.example")
    await h.telegram.waitFor("smart edit after the restart", () => fallback.edits.length === 1)
    const again = h.telegram.tap(galliard, "📈 Привлечь клиентов")
    await h.telegram.waitFor("the repeat's pop-up", () => h.telegram.answeredQueries.has(again))
    expect(h.telegram.answeredQueries.get(again)).toBe("✅ Эта заявка уже принята.")
    expect(h.crm.accepted).toHaveLength(1)
  })
})
