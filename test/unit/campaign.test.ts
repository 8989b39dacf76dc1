import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"

import { parseStartParameter } from "../../src/lead/Campaign.js"
import { shownLabels } from "../../src/stats/leadsChart.js"
import { STATS_USAGE, statsPeriod } from "../../src/stats/statsPeriod.js"

describe("a /start parameter", () => {
  it.each(
    [
      ["agency", "agency", undefined, false],
      ["AGENCY", "agency", undefined, false],
      ["agency-vk_spring", "agency", "vk_spring", false],
      ["promo-VK_Spring2", "promo", "VK_Spring2", false],
      ["", undefined, undefined, false],
      // Outside the grammar: the brand before the first "-" still counts, the campaign does not.
      ["agency-<x>", "agency", undefined, true],
      ["agency-vk-spring", "agency", undefined, true],
      ["agency-", "agency", undefined, true],
      [`agency-${"c".repeat(49)}`, "agency", undefined, true],
      [`agency-${"c".repeat(48)}`, "agency", "c".repeat(48), false],
      [`agency_long_brand_name_x-${"c".repeat(48)}`, "agency_long_brand_name_x", undefined, true]
    ] as const
  )("%j → brand %s, campaign %s, malformed %s", (parameter, brand, campaign, malformed) => {
    expect(parseStartParameter(parameter)).toEqual({
      brand: Option.fromNullable(brand),
      campaign: Option.fromNullable(campaign),
      malformed
    })
  })
})

describe("/stats' period", () => {
  // 2026-12-01 21:30 UTC is 2026-12-02 00:30 in Moscow.
  const now = Date.UTC(2026, 11, 1, 21, 30)

  it("none: the last 7 calendar days in the managers' zone, today included", () => {
    const period = Either.getOrThrow(statsPeriod("", now, "Europe/Moscow"))
    expect(period.label).toBe("за 7 дн. (26.11–02.12)")
    expect(period.since).toBe(Date.UTC(2026, 10, 25, 21, 0))
    expect(period.days.map((d) => d.label)).toEqual(["26.11", "27.11", "28.11", "29.11", "30.11", "01.12", "02.12"])
  })

  it("today: since midnight; 30: thirty days", () => {
    expect(Either.getOrThrow(statsPeriod("today", now, "Europe/Moscow"))).toMatchObject({
      label: "за сегодня (02.12)",
      since: Date.UTC(2026, 11, 1, 21, 0)
    })
    expect(Either.getOrThrow(statsPeriod(" 30 ", now, "UTC")).days).toHaveLength(30)
  })

  it("a day with a clock change is one day: its midnight is local", () => {
    // Berlin leaves summer time on 2026-10-25: that day has 25 hours.
    const period = Either.getOrThrow(statsPeriod("2", Date.UTC(2026, 9, 26, 12), "Europe/Berlin"))
    expect(period.days.map((d) => d.start)).toEqual([Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23)])
  })

  it.each(["forever", "0", "401", "-3", "7d"])("%j is answered with the usage", (argument) => {
    expect(statsPeriod(argument, now, "UTC")).toEqual(Either.left(STATS_USAGE))
  })
})

describe("the chart's day labels", () => {
  const days = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}.12`)
  it.each([7, 16, 17, 30, 31, 90])("%i days: the last (today) labelled, at most 16, evenly from it", (n) => {
    const shown = shownLabels(days(n))
    expect(shown).toHaveLength(n)
    expect(shown.at(-1)).toBe(`${n}.12`)
    const labelled = shown.flatMap((label, i) => (label === "" ? [] : [i]))
    expect(labelled.length).toBeLessThanOrEqual(16)
    const gaps = new Set(labelled.slice(1).map((i, k) => i - labelled[k]!))
    expect(gaps.size).toBeLessThanOrEqual(1)
    if (n <= 16) expect(labelled).toHaveLength(n)
  })
})
