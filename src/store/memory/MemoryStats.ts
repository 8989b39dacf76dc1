import { Effect, Layer, Option } from "effect"

import type { LeadRecord } from "../../lead/Lead.js"
import { type LeadTally, type ManagerTally, type OpenerTally, Stats, type TallyScope } from "../Stats.js"
import { MemoryLeadRows } from "./MemoryLeadStore.js"
import { MemoryStartRows } from "./MemoryStartEvents.js"
import { read } from "./MemoryTable.js"

/** Groups by a key made of the parts (Option none and a campaign never collide: a campaign is never empty). */
const groupBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Map<string, Array<A>> => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

const campaignKey = (campaign: Option.Option<string>) => Option.getOrElse(campaign, () => "")

const median = (values: ReadonlyArray<number>): Option.Option<number> => {
  if (values.length === 0) return Option.none()
  const sorted = [...values].sort((a, b) => a - b)
  return Option.some((sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.floor(sorted.length / 2)]!) / 2)
}

/** Both levels of a row: the campaign's, and the brand's as a whole. */
const levels = <A>(
  items: ReadonlyArray<A>,
  campaign: (a: A) => Option.Option<string>
): Array<{ readonly item: A; readonly scope: TallyScope; readonly campaign: Option.Option<string> }> =>
  items.flatMap((item) => [
    { item, scope: "campaign", campaign: campaign(item) },
    { item, scope: "brand", campaign: Option.none() }
  ])

/** `/stats` over the memory store's leads and `/start` events, under the SQL store's rules. */
export const MemoryStats = Layer.effect(
  Stats,
  Effect.gen(function*() {
    const leads = yield* MemoryLeadRows
    const starts = yield* MemoryStartRows
    const leadsSince = (since: number) => leads.all().filter((row) => row.record.lead.createdAt >= since)
    const outcomeIs = (record: LeadRecord, tag: "Crm" | "Fallback") =>
      Option.isSome(record.outcome) && record.outcome.value._tag === tag
    // A fallback its CRM took later counts as the CRM's (late), not as entered by hand.
    const reconciled = (record: LeadRecord) => Option.isSome(record.reconcile.reconciledAt)
    return Stats.of({
      leadTallies: (since) =>
        read(() => {
          const rows = levels(leadsSince(since), (row) => row.record.lead.campaign)
          const groups = groupBy(rows, (r) => `${r.item.record.lead.profile}\n${r.scope}\n${campaignKey(r.campaign)}`)
          return [...groups.values()].map((group): LeadTally => {
            const { campaign, item, scope } = group[0]!
            const records = group.map((r) => r.item.record)
            return {
              brand: item.record.lead.profile,
              campaign,
              scope,
              leads: records.length,
              crm: records.filter((r) => outcomeIs(r, "Crm") || reconciled(r)).length,
              fallback: records.filter((r) => outcomeIs(r, "Fallback") && !reconciled(r)).length,
              pending: records.filter((r) => Option.isNone(r.outcome)).length,
              reminded: records.filter((r) => r.reminders.sent > 0).length,
              medianFirstReplyMs: median(
                group.flatMap((r) =>
                  r.item.firstReplyAt === undefined ? [] : [r.item.firstReplyAt - r.item.record.lead.createdAt]
                )
              )
            }
          })
        }),
      openerTallies: (since) =>
        read(() => {
          const tapped = leadsSince(since).map((row) => row.record.lead)
          const rows = levels(starts.all().filter((e) => e.at >= since), (e) => e.campaign)
          const groups = groupBy(rows, (r) => `${campaignKey(r.item.brand)}\n${r.scope}\n${campaignKey(r.campaign)}`)
          return [...groups.values()].map((group): OpenerTally => {
            const { campaign, item, scope } = group[0]!
            const people = new Set(group.map((r) => r.item.telegramId))
            const converted = [...people].filter((person) =>
              tapped.some((lead) =>
                lead.contact.telegramId === person && Option.contains(item.brand, lead.profile) &&
                (scope === "brand" || campaignKey(lead.campaign) === campaignKey(campaign))
              )
            )
            return { brand: item.brand, campaign, scope, people: people.size, converted: converted.length }
          })
        }),
      managerTallies: (since, { brands, known, others }) =>
        read(() => {
          const scoped = leadsSince(since).filter(({ record: { lead } }) =>
            brands.includes(lead.profile) || (others && !known.includes(lead.profile))
          )
          const ids = [
            ...new Set(scoped.flatMap((r) => [
              ...Option.toArray(Option.map(r.record.taken, (t) => t.byId)),
              ...(r.firstReplyBy === undefined ? [] : [r.firstReplyBy])
            ]))
          ].sort((a, b) => a - b)
          return ids.map((id): ManagerTally => {
            const took = scoped.filter((r) => Option.exists(r.record.taken, (t) => t.byId === id))
            const first = scoped.filter((r) => r.firstReplyBy === id)
            return {
              managerId: id,
              name: Option.fromNullable(took.map((r) => Option.getOrThrow(r.record.taken).by).sort().at(-1)),
              taken: took.length,
              answered: new Set(first.map((r) => r.record.lead.contact.telegramId)).size,
              medianFirstReplyMs: median(first.map((r) => r.firstReplyAt! - r.record.lead.createdAt))
            }
          })
        }),
      leadsPerSlot: (since, slotMs) =>
        read(() => {
          const groups = groupBy(
            leadsSince(since).map((row) => row.record.lead),
            (lead) => `${lead.profile}\n${Math.floor(lead.createdAt / slotMs)}`
          )
          return [...groups.values()].map((group) => ({
            brand: group[0]!.profile,
            slot: Math.floor(group[0]!.createdAt / slotMs),
            leads: group.length
          }))
        })
    })
  })
)
