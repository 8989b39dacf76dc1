import { DateTime, Either } from "effect"

/** When a brand's managers work, in ADMIN_TIMEZONE: which days of the week, from and to what minute of the day. */
export interface WorkingHours {
  /** Days as JavaScript numbers them: 0 is Sunday. */
  readonly days: ReadonlySet<number>
  readonly from: string
  readonly to: string
  /** The days in Russian, for texts.off_hours: "пн–пт", "пн, ср, пт", "ежедневно". */
  readonly daysRu: string
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const
const DAY_NAMES_RU = ["вс", "пн", "вт", "ср", "чт", "пт", "сб"] as const
const dayOf = (name: string): number | undefined => {
  const index = DAY_NAMES.indexOf(name as typeof DAY_NAMES[number])
  return index < 0 ? undefined : index
}
const nameList = DAY_NAMES.join(", ")

/** `mon-fri` (a range, which may wrap: `fri-mon`), `mon,wed,fri` (a list), or one day: the days, or what is wrong. */
export const parseDays = (
  text: string
): Either.Either<{ readonly days: ReadonlySet<number>; readonly ru: string }, string> => {
  const range = /^([a-z]{3})-([a-z]{3})$/.exec(text)
  if (range) {
    const [first, last] = [dayOf(range[1]!), dayOf(range[2]!)]
    if (first === undefined || last === undefined) return Either.left(`expected days among ${nameList}`)
    const count = ((last - first + 7) % 7) + 1
    const days = new Set(Array.from({ length: count }, (_, i) => (first + i) % 7))
    return Either.right({ days, ru: count === 7 ? "ежедневно" : `${DAY_NAMES_RU[first]}–${DAY_NAMES_RU[last]}` })
  }
  const names = text.split(",").map((n) => n.trim())
  const days = names.flatMap((name) => {
    const day = dayOf(name)
    return day === undefined ? [] : [day]
  })
  if (names.length === 0 || days.length < names.length) {
    return Either.left(`expected a range such as mon-fri, or a list such as mon,wed,fri, of ${nameList}`)
  }
  const unique = new Set(days)
  return Either.right({
    days: unique,
    ru: unique.size === 7 ? "ежедневно" : names.map((n) => DAY_NAMES_RU[dayOf(n)!]).join(", ")
  })
}

/** Outside the hours at `at` (a moment), in the managers' time zone. `to` is the first minute no longer worked. */
export const isOffHours = (hours: WorkingHours, at: number, timeZone: string): boolean => {
  const { hours: h, minutes, weekDay } = DateTime.toParts(DateTime.unsafeMakeZoned(at, { timeZone }))
  const now = `${String(h).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`
  return !hours.days.has(weekDay) || now < hours.from || now >= hours.to
}
