import { Effect } from "effect"

import { Profiles } from "../profiles/Profiles.js"
import { Stats } from "../store/Stats.js"
import { drawLeadsChart } from "./leadsChart.js"
import { dayIndex, type StatsPeriod } from "./statsPeriod.js"
import { type StatsBrand, statsTableHtml } from "./statsTable.js"

/** Leads are counted per quarter hour in the store, then put into the managers' days (any zone's offset fits). */
const SLOT_MS = 15 * 60_000

/** `/stats`: the table and the chart of a period, from the store (one query per kind of number). */
export class StatsReport extends Effect.Service<StatsReport>()("StatsReport", {
  effect: Effect.gen(function*() {
    const stats = yield* Stats
    const profiles = yield* Profiles
    const brands: ReadonlyArray<StatsBrand> = profiles.all.map((p) => ({ key: p.key, name: p.name }))

    const table = Effect.fn("StatsReport.table")(function*(period: StatsPeriod) {
      const [leads, openers] = yield* Effect.all([stats.leadTallies(period.since), stats.openerTallies(period.since)])
      return statsTableHtml(period, brands, leads, openers)
    })

    /** Leads per day per brand: every brand of locales.json, and any other with leads in the period. */
    const chart = Effect.fn("StatsReport.chart")(function*(period: StatsPeriod) {
      const slots = yield* stats.leadsPerSlot(period.since, SLOT_MS)
      const stored = slots.map((s) => s.brand).filter((key) => !brands.some((b) => b.key === key))
      const series = [...brands, ...[...new Set(stored)].map((key) => ({ key, name: key }))].map((brand) => {
        const counts = period.days.map(() => 0)
        for (const slot of slots) {
          if (slot.brand === brand.key) counts[dayIndex(period, slot.slot * SLOT_MS)]! += slot.leads
        }
        return { name: brand.name, counts }
      })
      return yield* drawLeadsChart(`Лиды по дням ${period.label}`, period.days.map((d) => d.label), series)
    })

    return { table, chart } as const
  })
}) {}
