import { Option } from "effect"

/** A memory row's outgoing work (a lead's, a relay's), as the SQL stores' `next_attempt_at` and `retries` hold it. */
interface Work {
  readonly dueAt: Option.Option<number>
  readonly retries: number
}

/** When the work is due, if it is due by `now`. */
export const dueBy = (work: Work, now: number): Option.Option<number> => Option.filter(work.dueAt, (at) => at <= now)

/** An attempt failed: due again at `at`, one retry more. */
export const retriedLater = <W extends Work>(work: W, at: number): W => ({
  ...work,
  dueAt: Option.some(at),
  retries: work.retries + 1
})
