import { join } from "node:path"

import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option } from "effect"
import { afterAll, describe, expect, it } from "vitest"

import { makeTempDir, removeTempDirs } from "../../sim/tempDirs.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { openDatabase } from "../../src/store/sqlite/Database.js"
import { StartEvents } from "../../src/store/StartEvents.js"
import { SqlStores } from "../../src/store/Stores.js"
import { runScript } from "../support/runScript.js"

afterAll(removeTempDirs)

/** `npm run forget-person -- <id>` as a process (what the npm script runs), with the bot's settings. */
const forget = (dataDir: string, id: string) =>
  runScript("forget-person.ts", [id], { BOT_TOKEN: "1:x", ADMIN_CHAT_ID: "-100500", DATA_DIR: dataDir })

const leadOf = (telegramId: number) => ({
  id: `lead-${telegramId}`,
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId, fullName: "P", username: Option.none() },
  createdAt: 1000,
  tapId: `q-${telegramId}`,
  campaign: Option.none()
})

describe("npm run forget-person, as a command", () => {
  it("deletes one person's leads from the store DATA_DIR names, nobody else's; a missing store is named", async () => {
    const dataDir = makeTempDir("forget")
    const stores = SqlStores.pipe(
      Layer.provideMerge(Layer.scoped(SqlClient.SqlClient, openDatabase(join(dataDir, "leads.sqlite"))))
    )
    const inStore = <A>(effect: Effect.Effect<A, unknown, LeadStore | StartEvents | SqlClient.SqlClient>) =>
      Effect.runPromise(effect.pipe(Effect.provide(stores), Effect.scoped) as Effect.Effect<A>)
    await inStore(Effect.flatMap(LeadStore, (leads) => Effect.all([501, 502].map((id) => leads.record(leadOf(id), 0)))))
    const opened = (telegramId: number) =>
      Effect.flatMap(
        StartEvents,
        (starts) =>
          starts.record({ telegramId, brand: Option.some("agency"), campaign: Option.some("vk_spring"), at: 900 })
      )
    await inStore(Effect.all([opened(501), opened(502)]))

    const done = await forget(dataDir, "501")
    expect(done).toMatchObject({ code: 0, stderr: "" })
    expect(done.stdout).toBe(
      `${join(dataDir, "leads.sqlite")}: deleted of 501: 1 leads, 0 delivery attempts, 0 follow-ups, 0 latest-lead ` +
        "pointer, 0 updates, 0 managers' messages, 1 /start events; consent withdrawn (0); the bot cleans 0 " +
        "managers'-chat messages and 0 forum topics"
    )
    // The managers' chat is told, by the bot, once it runs: the erasure waits in the store, the operator's.
    const erasures = await inStore(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) =>
          sql`SELECT e.requested_by, s.kind, s.chat_id, s.text
            FROM erasures e JOIN erasure_steps s ON s.erasure_id = e.id`
      )
    )
    expect(erasures).toMatchObject([{ requested_by: "operator", kind: "notice", chat_id: -100500 }])
    expect(String(erasures[0]!.text)).toContain("Не дошли до людей и доставлены не будут")
    const left = await inStore(Effect.flatMap(LeadStore, (leads) => leads.undelivered))
    expect(left.map((r) => r.lead.contact.telegramId)).toEqual([502])
    const campaigns = await inStore(
      Effect.flatMap(StartEvents, (starts) => Effect.all([starts.campaignOf(501, 0), starts.campaignOf(502, 0)]))
    )
    expect(campaigns).toEqual([Option.none(), Option.some("vk_spring")])

    const nowhere = join(makeTempDir("forget-empty"), "none")
    const missing = await forget(nowhere, "501")
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      `forget-person: DATA_DIR: no lead store at ${join(nowhere, "leads.sqlite")} (set DATA_DIR or DATABASE_URL)`
    )
  }, 60_000)
})
