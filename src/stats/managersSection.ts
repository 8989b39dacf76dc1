import { Option } from "effect"

import type { LeadTally, ManagerTally } from "../store/Stats.js"
import { escapeHtml } from "../telegram/escapeHtml.js"
import type { StatsBrand } from "./statsTable.js"
import { shortDuration } from "./statsTable.js"

const HEADER = ["Взял", "Ответ", "Время"]
const WIDTH = 7

const cells = (values: ReadonlyArray<string>) => values.map((v) => v.padStart(WIDTH)).join("")

/**
 * `/stats`' managers section: per manager (by Telegram user) the leads they took, the people they answered first
 * and the median time to that first answer; per brand, the leads that got a reminder. None when nobody took or
 * answered a lead and no brand has reminders.
 */
export const managersSectionHtml = (
  brands: ReadonlyArray<StatsBrand>,
  leads: ReadonlyArray<LeadTally>,
  managers: ReadonlyArray<ManagerTally>
): string => {
  const reminded = brands.map((brand) => ({
    brand,
    reminded: leads.find((t) => t.brand === brand.key && t.scope === "brand")?.reminded ?? 0
  }))
  if (managers.length === 0 && reminded.every((r) => r.reminded === 0)) return ""
  const rows = managers.flatMap((m) => [
    escapeHtml(Option.getOrElse(m.name, () => `id ${m.managerId}`)),
    cells([
      String(m.taken),
      String(m.answered),
      Option.match(m.medianFirstReplyMs, { onNone: () => "—", onSome: shortDuration })
    ])
  ])
  return [
    "👥 <b>Менеджеры</b>",
    ...(managers.length === 0
      ? ["Никто ещё не взял и не ответил."]
      : [`<pre>${[cells(HEADER), ...rows].join("\n")}</pre>`]),
    "<i>Взял</i> — взял(а) лидов, <i>Ответ</i> — людей, кому ответил(а) первым(ой), " +
    "<i>Время</i> — медиана до этого ответа.",
    `⏰ Напоминаний о лидах: ${reminded.map((r) => `${escapeHtml(r.brand.name)} — ${r.reminded}`).join(", ")}`
  ].join("\n")
}
