/**
 * Issue 34's targets: each figure of the bot divided by the floor's of the same round (the peer's too), checked over
 * the rounds. A figure is past its target when every round is (the median of two rounds less their noise, half
 * their spread, is the better round): the benchmark then exits non-zero.
 */

/** A figure of one round: the bot's and the reference's (the floor, or SQLite for PostgreSQL). */
export interface Measured {
  readonly scenario: string
  readonly figure: string
  readonly target: number
  /** The bot ÷ reference of each round. */
  readonly ratios: ReadonlyArray<number>
}

export interface Verdict extends Measured {
  readonly median: number
  readonly past: boolean
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const judge = (measured: ReadonlyArray<Measured>): ReadonlyArray<Verdict> =>
  measured.filter((m) => m.ratios.length > 0).map((m) => ({
    ...m,
    median: Math.round(median(m.ratios) * 100) / 100,
    past: Math.min(...m.ratios) > m.target
  }))

export const verdictLines = (verdicts: ReadonlyArray<Verdict>) =>
  verdicts.map((v) =>
    `${v.past ? "PAST" : "ok  "} ${v.scenario}: ${v.figure}: ${v.median}× (rounds ${
      v.ratios.join(", ")
    }×; target ≤ ${v.target}×)`
  )

/** The targets of issue 34, by scenario and mode: bot ÷ floor, the peer as a bound of its own (bot ÷ peer < 1). */
export const TARGETS = {
  polling: {
    ok: {
      "confirmation p99": 1.3,
      "confirmation p99 against the peer": 0.999,
      "CPU seconds": 1.5,
      "every lead reached a human": 1.5,
      "RSS at rest": 1.3,
      "start → intake": 1.8
    },
    slow: { "confirmation p99": 1.15 }
  },
  webhook: { ok: { "confirmation p99": 1.4 } },
  postgres: { ok: { "confirmation p99 against SQLite": 1.4 } }
} as const satisfies Record<string, Record<string, Record<string, number>>>
