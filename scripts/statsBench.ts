import { join } from "node:path"

import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"

import { makeTempDir } from "../sim/tempDirs.js"
import { drawLeadsChart } from "../src/stats/leadsChart.js"
import { statsPeriod } from "../src/stats/statsPeriod.js"
import { openDatabase } from "../src/store/DatabaseLive.js"
import { Stats } from "../src/store/Stats.js"
import { SqlStores } from "../src/store/Stores.js"

const BRANDS = ["agency", "cg", "express"] as const
const CAMPAIGNS = [null, "vk_spring", "vk_autumn", "tg_post", "poster_metro", "yandex_cpc", "bloggers", "qr_expo"]
const DAY = 86_400_000

/** Rows in batches of this many per INSERT (SQLite allows 32,766 parameters a statement). */
const BATCH = 500

/**
 * Fills the store with `leads` leads spread over the last 35 days (so /stats 30 holds most of them), their /start
 * events (1.5 per lead, some people never tap), outcomes and first answers, as raw rows: a store that has run a year.
 */
const fill = (leads: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = Date.now()
    const rows = Array.from({ length: leads }, (_, i) => {
      const createdAt = now - Math.floor(((i * 7919) % 1000) / 1000 * 35 * DAY)
      const outcome = i % 10 === 0 ? null : i % 7 === 0 ? "fallback" : "crm"
      return {
        id: `bench-${i}`,
        profile: BRANDS[i % 3]!,
        brand_name: BRANDS[i % 3]!.toUpperCase(),
        service_id: "clients",
        title: "Привлечь клиентов",
        telegram_id: 1_000_000 + i,
        full_name: `Person ${i}`,
        username: null,
        created_at: createdAt,
        tap_id: `q-${i}`,
        confirmed_at: createdAt,
        outcome,
        admin_message_id: outcome === "fallback" ? i : null,
        admin_html: outcome === "fallback" ? "x" : null,
        delivered_at: outcome === null ? null : createdAt + 500,
        first_reply_at: i % 3 === 0 ? createdAt + 60_000 + (i % 50) * 10_000 : null,
        campaign: CAMPAIGNS[i % CAMPAIGNS.length]
      }
    })
    for (let at = 0; at < rows.length; at += BATCH) {
      yield* sql`INSERT INTO leads ${sql.insert(rows.slice(at, at + BATCH))}`
    }
    const starts = rows.flatMap((r, i) => [
      { telegram_id: r.telegram_id, brand: r.profile, campaign: r.campaign, at: r.created_at - 30_000 },
      ...(i % 2 === 0
        ? [{ telegram_id: 5_000_000 + i, brand: r.profile, campaign: r.campaign, at: r.created_at - 60_000 }]
        : [])
    ])
    for (let at = 0; at < starts.length; at += BATCH) {
      yield* sql`INSERT INTO start_events ${sql.insert(starts.slice(at, at + BATCH))}`
    }
    return { leads: rows.length, starts: starts.length }
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const result = yield* effect
    return { ms: performance.now() - start, result }
  })

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/**
 * `/stats 30` on a store of `leads` leads: each of its three queries (5 runs, the median), and the chart's drawing
 * (its first draw loads the canvas library; then warm).
 */
export const statsBench = async (leads: number, postgresUrl?: string) => {
  const setting = postgresUrl === undefined
    ? {
      _tag: "Sqlite" as const,
      filename: join(makeTempDir("stats-bench"), "leads.sqlite"),
      variable: "DATA_DIR" as const
    }
    : { _tag: "Postgres" as const, url: Redacted.make(postgresUrl) }
  const stores = SqlStores.pipe(Layer.provideMerge(Layer.scopedContext(openDatabase(setting, "bot"))))
  return Effect.runPromise(
    Effect.gen(function*() {
      const filled = yield* timed(fill(leads))
      const stats = yield* Stats
      const period = statsPeriod("30", Date.now(), "Europe/Moscow").pipe((
        p
      ) => (p._tag === "Right" ? p.right : undefined))!
      const runs = {
        leadTallies: [] as Array<number>,
        openerTallies: [] as Array<number>,
        leadsPerSlot: [] as Array<number>
      }
      for (let i = 0; i < 5; i++) {
        runs.leadTallies.push((yield* timed(stats.leadTallies(period.since))).ms)
        runs.openerTallies.push((yield* timed(stats.openerTallies(period.since))).ms)
        runs.leadsPerSlot.push((yield* timed(stats.leadsPerSlot(period.since, 15 * 60_000))).ms)
      }
      const series = BRANDS.map((name) => ({ name, counts: period.days.map((_, i) => (i * 7) % 40) }))
      const labels = period.days.map((d) => d.label)
      const firstChart = yield* timed(drawLeadsChart("bench", labels, series))
      const warmChart = yield* timed(drawLeadsChart("bench", labels, series))
      const round = (ms: number) => Math.round(ms * 10) / 10
      return {
        store: postgresUrl === undefined ? "SQLite" : "PostgreSQL",
        ...filled.result,
        fillSeconds: round(filled.ms / 1000),
        queryMs: {
          leadTallies: round(median(runs.leadTallies)),
          openerTallies: round(median(runs.openerTallies)),
          leadsPerSlot: round(median(runs.leadsPerSlot))
        },
        chartMs: { first: round(firstChart.ms), warm: round(warmChart.ms) }
      }
    }).pipe(Effect.provide(stores), Effect.scoped)
  )
}
