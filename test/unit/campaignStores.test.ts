import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"

import type { Lead } from "../../src/lead/Lead.js"
import { LeadStore } from "../../src/store/LeadStore.js"
import { StartEvents } from "../../src/store/StartEvents.js"
import { Stats } from "../../src/store/Stats.js"
import { storeImplementations } from "../support/storeImplementations.js"

const lead = (id: string, profile: string, telegramId: number, createdAt: number, campaign?: string): Lead => ({
  id,
  profile,
  brandName: profile.toUpperCase(),
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId, fullName: "P", username: Option.none() },
  createdAt,
  tapId: `q-${id}`,
  campaign: Option.fromNullable(campaign)
})

const start = (telegramId: number, brand: string | undefined, campaign: string | undefined, at: number) =>
  Effect.flatMap(
    StartEvents,
    (starts) =>
      starts.record({ telegramId, brand: Option.fromNullable(brand), campaign: Option.fromNullable(campaign), at })
  )

/** Last touch: the person's latest /start within the window gives the campaign (none if it named none). */
const lastTouch = Effect.gen(function*() {
  const starts = yield* StartEvents
  yield* start(501, "agency", "vk", 1000)
  yield* start(501, "agency", undefined, 2000)
  yield* start(502, undefined, "promo", 1000)
  yield* start(503, "agency", "first", 5000)
  yield* start(503, "agency", "second", 5000)
  expect(yield* starts.campaignOf(501, 0)).toEqual(Option.none())
  expect(yield* starts.campaignOf(502, 0)).toEqual(Option.some("promo"))
  expect(yield* starts.campaignOf(502, 1001)).toEqual(Option.none())
  // Two /starts in one millisecond: the one written last.
  expect(yield* starts.campaignOf(503, 0)).toEqual(Option.some("second"))
  expect(yield* starts.campaignOf(999, 0)).toEqual(Option.none())
  expect(yield* starts.forgetBefore(1500)).toBe(2)
  expect(yield* starts.campaignOf(502, 0)).toEqual(Option.none())
  expect(yield* starts.campaignOf(503, 0)).toEqual(Option.some("second"))
})

const byKey = <T extends { readonly scope: string; readonly campaign: Option.Option<string> }>(
  brandOf: (t: T) => string,
  rows: ReadonlyArray<T>
) =>
  Object.fromEntries(
    rows.map((t) => [`${brandOf(t)}/${t.scope === "brand" ? "*" : Option.getOrElse(t.campaign, () => "-")}`, t])
  )

/** A period's numbers: leads by outcome and their median first answer, openers and who of them left a lead, slots. */
const tallies = Effect.gen(function*() {
  const leads = yield* LeadStore
  const stats = yield* Stats
  yield* start(4, "agency", "vk", 1000)
  yield* leads.record(lead("old", "agency", 4, 1000, "vk"), 0)
  yield* start(6, undefined, "promo", 6000)
  yield* start(1, "agency", "vk", 9000)
  yield* leads.record(lead("a1", "agency", 1, 10_000, "vk"), 0)
  yield* leads.setOutcome("a1", { _tag: "Crm" })
  yield* leads.markFirstReply("a1", 70_000, 900)
  yield* start(2, "agency", "vk", 19_000)
  yield* leads.record(lead("a2", "agency", 2, 20_000, "vk"), 0)
  yield* leads.setOutcome("a2", { _tag: "Fallback", chatId: Option.none(), messageId: 7, html: "x" })
  yield* leads.markFirstReply("a2", 200_000, 901)
  yield* start(5, "agency", "vk", 25_000)
  yield* start(3, "agency", undefined, 29_000)
  yield* leads.record(lead("a3", "agency", 3, 30_000), 0)
  yield* start(1, "cg", "vk", 39_000)
  yield* leads.record(lead("c1", "cg", 1, 40_000, "vk"), 0)
  yield* leads.setOutcome("c1", { _tag: "Crm" })

  const counted = byKey((t) => t.brand, yield* stats.leadTallies(5000))
  const numbers = (key: string) => {
    const t = counted[key]!
    return [t.leads, t.crm, t.fallback, t.pending, Option.getOrUndefined(t.medianFirstReplyMs)]
  }
  expect(Object.keys(counted).sort()).toEqual(["agency/*", "agency/-", "agency/vk", "cg/*", "cg/vk"])
  expect(numbers("agency/*")).toEqual([3, 1, 1, 1, 120_000])
  expect(numbers("agency/vk")).toEqual([2, 1, 1, 0, 120_000])
  expect(numbers("agency/-")).toEqual([1, 0, 0, 1, undefined])
  expect(numbers("cg/*")).toEqual([1, 1, 0, 0, undefined])

  const opened = byKey((t) => Option.getOrElse(t.brand, () => "none"), yield* stats.openerTallies(5000))
  const people = (key: string) => [opened[key]!.people, opened[key]!.converted]
  expect(Object.keys(opened).sort()).toEqual([
    "agency/*",
    "agency/-",
    "agency/vk",
    "cg/*",
    "cg/vk",
    "none/*",
    "none/promo"
  ])
  expect(people("agency/*")).toEqual([4, 3])
  expect(people("agency/vk")).toEqual([3, 2])
  expect(people("agency/-")).toEqual([1, 1])
  expect(people("cg/vk")).toEqual([1, 1])
  expect(people("none/promo")).toEqual([1, 0])

  const slots = (yield* stats.leadsPerSlot(5000, 15_000)).map((s) => `${s.brand}:${s.slot}:${s.leads}`).sort()
  expect(slots).toEqual(["agency:0:1", "agency:1:1", "agency:2:1", "cg:2:1"])
})

/** An odd number of answered leads: the middle one. */
const oddMedian = Effect.gen(function*() {
  const leads = yield* LeadStore
  const stats = yield* Stats
  for (const [i, wait] of [[1, 5000], [2, 1000], [3, 9000]] as const) {
    yield* leads.record(lead(`l${i}`, "agency", i, 100, "x"), 0)
    yield* leads.markFirstReply(`l${i}`, 100 + wait, 900)
  }
  const brand = (yield* stats.leadTallies(0)).find((t) => t.scope === "brand")!
  expect(brand.medianFirstReplyMs).toEqual(Option.some(5000))
})

describe.each(storeImplementations)("campaigns and /stats in the store on $name", ({ skipped, stores }) => {
  if (skipped) {
    it.skip(skipped, () => {})
    return
  }
  it.scoped("the campaign in force is the latest /start's within the window", () =>
    lastTouch.pipe(Effect.provide(stores())))
  it.scoped("/stats' numbers: leads, openers, conversion, median first answer, leads per slot", () =>
    tallies.pipe(Effect.provide(stores())))
  it.scoped("the median of an odd count is the middle wait", () => oddMedian.pipe(Effect.provide(stores())))
})
