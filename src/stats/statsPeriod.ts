import { DateTime, Either } from "effect"

/** What `/stats` covers: the last N days (today included), or today since midnight; in ADMIN_TIMEZONE. */
export interface StatsPeriod {
  /** "за 7 дней (25.11–01.12)" or "за сегодня (01.12)". */
  readonly label: string
  /** Its first midnight. */
  readonly since: number
  /** Each day's midnight, oldest first, and its label ("25.11"). */
  readonly days: ReadonlyArray<{ readonly start: number; readonly label: string }>
}

const MAX_DAYS = 400

export const STATS_USAGE = "Использование: /stats (7 дней), /stats 30 (30 дней, до 400) или /stats today (сегодня)."

const dayLabel = (day: DateTime.Zoned) => {
  const { day: d, month } = DateTime.toParts(day)
  return `${String(d).padStart(2, "0")}.${String(month).padStart(2, "0")}`
}

/** `/stats`'s argument: none (7 days), a number of days (1–400), or `today`; anything else is answered with usage. */
export const statsPeriod = (argument: string, now: number, timeZone: string): Either.Either<StatsPeriod, string> => {
  const text = argument.trim().toLowerCase()
  const today = text === "today" || text === "сегодня"
  const count = text === "" ? 7 : today ? 1 : /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN
  if (!(count >= 1 && count <= MAX_DAYS)) return Either.left(STATS_USAGE)
  const midnight = DateTime.startOf(DateTime.unsafeMakeZoned(now, { timeZone }), "day")
  // Calendar days in the zone: a day with a clock change is still one day.
  const days = Array.from({ length: count }, (_, i) => DateTime.subtract(midnight, { days: count - 1 - i }))
  const labels = days.map(dayLabel)
  return Either.right({
    label: today ? `за сегодня (${labels[0]})` : `за ${count} дн. (${labels[0]}–${labels[labels.length - 1]})`,
    since: DateTime.toEpochMillis(days[0]!),
    days: days.map((day, i) => ({ start: DateTime.toEpochMillis(day), label: labels[i]! }))
  })
}

/** The index of the day a moment falls in (the last day whose midnight is at or before it). */
export const dayIndex = (period: StatsPeriod, at: number): number => {
  let index = 0
  for (let i = 0; i < period.days.length; i++) if (period.days[i]!.start <= at) index = i
  return index
}
