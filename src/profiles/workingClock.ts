import { DateTime, Option } from "effect"

import type { WorkingHours } from "./workingHours.js"

const MINUTE = 60_000
const DAY_MINUTES = 24 * 60

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))

/** The moment's day of the week and minute of the day in the time zone. */
const wallClock = (at: number, timeZone: string) => {
  const parts = DateTime.toParts(DateTime.unsafeMakeZoned(at, { timeZone }))
  return { weekDay: parts.weekDay, minute: parts.hours * 60 + parts.minutes }
}

/**
 * `minutes` after `from`, counted only within working hours when the brand has them (in the managers' time zone):
 * a lead at 23:40 on a Tuesday with 15 minutes and hours mon-fri 10:00–19:00 is due at 10:15 on Wednesday. Without
 * hours, plain minutes.
 */
export const afterWorkingMinutes = (
  from: number,
  minutes: number,
  hours: Option.Option<WorkingHours>,
  timeZone: string
): number => {
  if (Option.isNone(hours)) return from + minutes * MINUTE
  const { days } = hours.value
  const open = minutesOf(hours.value.from)
  const close = minutesOf(hours.value.to)
  if (days.size === 0) return from + minutes * MINUTE
  let at = from
  let left = minutes
  // Each turn ends a working day's part or the count; a week without working days cannot happen (days is non-empty).
  for (let turn = 0; turn < 800; turn++) {
    const { minute, weekDay } = wallClock(at, timeZone)
    if (days.has(weekDay) && minute >= open && minute < close) {
      const today = close - minute
      if (left <= today) return at + left * MINUTE
      left -= today
      at += today * MINUTE
    } else if (days.has(weekDay) && minute < open) {
      at += (open - minute) * MINUTE
    } else {
      at += (DAY_MINUTES - minute + open) * MINUTE
    }
  }
  return at + left * MINUTE
}
