import { Effect, Option } from "effect"

import { Profiles } from "../profiles/Profiles.js"
import { Stats } from "../store/Stats.js"
import { drawLeadsChart } from "./leadsChart.js"
import { managersSectionHtml } from "./managersSection.js"
import { dayIndex, type StatsPeriod } from "./statsPeriod.js"
import { type StatsBrand, statsTableHtml } from "./statsTable.js"

/** Which brands a managers' chat hears of; `others`: also brands no longer in locales.json, and links naming none. */
export interface StatsScope {
  readonly brands: ReadonlyArray<string>
  readonly others: boolean
}

/** Leads are counted per quarter hour in the store, then put into the managers' days (any zone's offset fits). */
const SLOT_MS = 15 * 60_000

/** `/stats`: the table and the chart of a period, from the store (one query per kind of number). */
export class StatsReport extends Effect.Service<StatsReport>()("StatsReport", {
  effect: Effect.gen(function*() {
    const stats = yield* Stats
    const profiles = yield* Profiles
    const brands: ReadonlyArray<StatsBrand> = profiles.all.map((p) => ({ key: p.key, name: p.name }))

    const known = (key: string) => brands.some((b) => b.key === key)
    const inScope = (scope: StatsScope) => (key: string) => scope.brands.includes(key) || (scope.others && !known(key))

    const table = Effect.fn("StatsReport.table")(function*(period: StatsPeriod, scope: StatsScope) {
      const [leads, openers, managers] = yield* Effect.all([
        stats.leadTallies(period.since),
        stats.openerTallies(period.since),
        stats.managerTallies(period.since, { ...scope, known: brands.map((b) => b.key) })
      ])
      const shown = inScope(scope)
      const ours = brands.filter((b) => scope.brands.includes(b.key))
      const scoped = leads.filter((t) => shown(t.brand))
      const table = statsTableHtml(
        period,
        ours,
        scoped,
        openers.filter((t) => Option.match(t.brand, { onNone: () => scope.others, onSome: shown }))
      )
      const section = managersSectionHtml(ours, scoped, managers)
      return section === "" ? table : `${table}\n\n${section}`
    })

    /** Leads per day per brand: the scope's brands of locales.json, and any other with leads in the period. */
    const chart = Effect.fn("StatsReport.chart")(function*(period: StatsPeriod, scope: StatsScope) {
      const slots = (yield* stats.leadsPerSlot(period.since, SLOT_MS)).filter((s) => inScope(scope)(s.brand))
      const stored = slots.map((s) => s.brand).filter((key) => !known(key))
      const ours = brands.filter((b) => scope.brands.includes(b.key))
      const series = [...ours, ...[...new Set(stored)].map((key) => ({ key, name: key }))].map((brand) => {
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
