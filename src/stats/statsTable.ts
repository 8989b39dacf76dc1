import { Option } from "effect"

import type { LeadTally, OpenerTally } from "../store/Stats.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import type { StatsPeriod } from "./statsPeriod.js"

/** A brand as /stats names it: its key (as the store keeps it) and its name (from locales.json). */
export interface StatsBrand {
  readonly key: string
  readonly name: string
}

const HEADER = ["Откр", "Лиды", "Доля", "CRM", "Вруч", "Ждут", "Ответ"]
const WIDTH = 5
const NAME_LIMIT = HEADER.length * WIDTH

export const STATS_LEGEND = [
  "<i>Откр</i> — открыли ссылку (люди), <i>Доля</i> — из них оставили лид, <i>CRM</i> / <i>Вруч</i> — лид принят",
  "CRM / пришёл в чат вручную, <i>Ждут</i> — ещё не дошли до людей, <i>Ответ</i> — медиана времени до первого",
  "ответа менеджера через бота."
].join(" ")

/** A wait as a manager reads it at a glance: "45с", "14м", "3ч", "2д". */
export const shortDuration = (ms: number): string => {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds}с`
  if (seconds < 3600) return `${Math.round(seconds / 60)}м`
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)}ч`
  return `${Math.round(seconds / 86_400)}д`
}

const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${Math.round((part / whole) * 100)}%`)

/** Each column right-aligned in WIDTH characters (the last, "Ответ", one more). */
const cells = (values: ReadonlyArray<string>) =>
  values.map((v, i) => v.padStart(i === values.length - 1 ? WIDTH + 1 : WIDTH)).join("")

/** One row: its name on a line, its numbers on the next (a phone's width holds seven columns, not a name too). */
const row = (name: string, leads: LeadTally | undefined, openers: OpenerTally | undefined) => [
  escapeHtml(name.length > NAME_LIMIT ? `${name.slice(0, NAME_LIMIT - 1)}…` : name),
  cells([
    String(openers?.people ?? 0),
    String(leads?.leads ?? 0),
    percent(openers?.converted ?? 0, openers?.people ?? 0),
    String(leads?.crm ?? 0),
    String(leads?.fallback ?? 0),
    String(leads?.pending ?? 0),
    Option.match(leads?.medianFirstReplyMs ?? Option.none(), { onNone: () => "—", onSome: shortDuration })
  ])
]

const sameCampaign = Option.getEquivalence((x: string, y: string) => x === y)

/**
 * `/stats`' table: each brand (those of locales.json, then any other the store has), then its campaigns within it
 * (most leads first; no campaign last) when any campaign brought someone; last, people who opened a link naming no
 * brand of ours.
 */
export const statsTableHtml = (
  period: StatsPeriod,
  brands: ReadonlyArray<StatsBrand>,
  leads: ReadonlyArray<LeadTally>,
  openers: ReadonlyArray<OpenerTally>
): string => {
  const known = new Set(brands.map((b) => b.key))
  const stored = [...leads.map((t) => t.brand), ...openers.flatMap((t) => Option.toArray(t.brand))]
  const all = [...brands, ...[...new Set(stored)].filter((key) => !known.has(key)).map((key) => ({ key, name: key }))]
  const lines = all.flatMap((brand) => {
    const brandLeads = leads.filter((t) => t.brand === brand.key)
    const brandOpeners = openers.filter((t) => Option.contains(t.brand, brand.key))
    const campaigns = [
      ...new Map(
        [...brandLeads, ...brandOpeners].filter((t) => t.scope === "campaign").map((t) => [
          Option.getOrElse(t.campaign, () => ""),
          t.campaign
        ])
      ).values()
    ]
    const tallyOf = <T extends { readonly scope: string; readonly campaign: Option.Option<string> }>(
      tallies: ReadonlyArray<T>,
      campaign: Option.Option<string>
    ) => tallies.find((t) => t.scope === "campaign" && sameCampaign(t.campaign, campaign))
    const leadsOf = (campaign: Option.Option<string>) => tallyOf(brandLeads, campaign)?.leads ?? 0
    const sorted = campaigns.sort((a, b) =>
      Number(Option.isNone(a)) - Number(Option.isNone(b)) || leadsOf(b) - leadsOf(a) ||
      Option.getOrElse(a, () => "").localeCompare(Option.getOrElse(b, () => ""))
    )
    const withCampaigns = sorted.some(Option.isSome)
    return [
      ...row(brand.name, brandLeads.find((t) => t.scope === "brand"), brandOpeners.find((t) => t.scope === "brand")),
      ...(withCampaigns
        ? sorted.flatMap((campaign) =>
          row(
            `· ${Option.getOrElse(campaign, () => "без кампании")}`,
            tallyOf(brandLeads, campaign),
            tallyOf(brandOpeners, campaign)
          )
        )
        : [])
    ]
  })
  const noBrand = openers.find((t) => Option.isNone(t.brand) && t.scope === "brand")
  return [
    `📊 <b>Статистика ${escapeHtml(period.label)}</b>`,
    `<pre>${
      [cells(HEADER), ...lines, ...(noBrand ? row("Ссылка без нашего бренда", undefined, noBrand) : [])]
        .join("\n")
    }</pre>`,
    STATS_LEGEND
  ].join("\n")
}
