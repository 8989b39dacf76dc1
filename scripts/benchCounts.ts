/**
 * The benchmark's counted run: what one tap costs (its confirmation and its delivery), from the probe in the bot's
 * process (scripts/bench-probe.mjs) and the Telegram stand-in's log. Counting slows the bot (Effect's operations are
 * supervised one by one), so a counted run is never a timed one.
 */
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import type { TelegramSim } from "../sim/TelegramSim.js"

const PROBE = fileURLToPath(new URL("./bench-probe.mjs", import.meta.url))

interface Snapshot {
  readonly sql: { statements: number; transactions: number }
  readonly bySource: Record<string, number>
  readonly requests: Record<string, number>
  readonly gc: { minor: number; major: number; ms: number; allocatedBytes: number }
  readonly effect?: { fibers: number; operations: number; bySpan: Record<string, number> }
  readonly cpuMicros: { user: number; system: number }
}

/** A probe for one bot process: its node arguments and settings, and the snapshots it is asked for. */
export const makeProbe = (dir: string) => {
  const out = join(dir, "probe.json")
  return {
    nodeArgs: ["--import", PROBE],
    env: { BENCH_PROBE_OUT: out, LEADBOT_COUNT_RUNTIME: "1" },
    /** The counts so far: asks the probe (SIGUSR2) and waits for its file (at most 5 s). */
    snapshot: async (pid: number): Promise<Snapshot> => {
      rmSync(out, { force: true })
      process.kill(pid, "SIGUSR2")
      const deadline = performance.now() + 5000
      while (!existsSync(out)) {
        if (performance.now() > deadline) throw new Error("the bench probe did not answer")
        await new Promise((r) => setTimeout(r, 10))
      }
      return JSON.parse(readFileSync(out, "utf8"))
    }
  }
}

const per = (n: number, taps: number, digits = 1) => Math.round((n / taps) * 10 ** digits) / 10 ** digits

/** What a tap cost between two snapshots, `taps` taps, with the Telegram calls the stand-in saw from `since`. */
export const perTap = (
  before: Snapshot,
  after: Snapshot,
  taps: number,
  telegram: TelegramSim,
  since: number,
  crmOrigin: string
) => {
  const calls = telegram.calls.filter((c) => c.at >= since && c.method !== "getUpdates")
  const counted: Record<string, number> = {}
  for (const c of calls) counted[c.method] = (counted[c.method] ?? 0) + 1
  const byMethod = Object.fromEntries(Object.entries(counted).map(([method, n]) => [method, per(n, taps, 2)]))
  const crmRequests = (after.requests[crmOrigin] ?? 0) - (before.requests[crmOrigin] ?? 0)
  const cpu = (s: Snapshot) => s.cpuMicros.user + s.cpuMicros.system
  return {
    taps,
    effectFibers: after.effect && before.effect ? per(after.effect.fibers - before.effect.fibers, taps) : NaN,
    effectOperations: after.effect && before.effect
      ? per(after.effect.operations - before.effect.operations, taps, 0)
      : NaN,
    /** Effect's operations by the innermost span they ran in, most first. */
    effectBySpan: Object.entries(after.effect?.bySpan ?? {})
      .map(([span, n]) => [span, per(n - (before.effect?.bySpan[span] ?? 0), taps, 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
    sqlStatements: per(after.sql.statements - before.sql.statements, taps, 2),
    sqlTransactions: per(after.sql.transactions - before.sql.transactions, taps, 2),
    /** Each statement's SQL (its start) and how many a tap made, most first. */
    sqlBySource: Object.entries(after.bySource)
      .map(([source, n]) => [source, per(n - (before.bySource[source] ?? 0), taps, 2)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
    telegramCalls: per(calls.length, taps, 2),
    telegramCallsByMethod: byMethod,
    crmRequests: per(crmRequests, taps, 2),
    allocatedKb: per((after.gc.allocatedBytes - before.gc.allocatedBytes) / 1024, taps),
    minorGcs: per(after.gc.minor - before.gc.minor, taps, 3),
    majorGcs: per(after.gc.major - before.gc.major, taps, 3),
    gcMs: per(after.gc.ms - before.gc.ms, taps, 3),
    cpuMs: per((cpu(after) - cpu(before)) / 1000, taps, 2)
  }
}

export type PerTap = ReturnType<typeof perTap>

/** The per-tap table, one column a bot, as BENCHMARKS.md shows it. */
export const perTapTable = (columns: ReadonlyArray<{ readonly bot: string; readonly cost: PerTap }>) => {
  const rows: Array<[string, (c: PerTap) => number | string]> = [
    ["Effect fibers started", (c) => c.effectFibers],
    ["Effect operations", (c) => c.effectOperations],
    ["SQL statements", (c) => c.sqlStatements],
    ["SQL transactions", (c) => c.sqlTransactions],
    ["Telegram calls", (c) => c.telegramCalls],
    [
      "  of them",
      (c) => Object.entries(c.telegramCallsByMethod).map(([m, n]) => `${m} ${n}`).join(", ")
    ],
    ["CRM requests", (c) => c.crmRequests],
    ["allocated (KB)", (c) => c.allocatedKb],
    ["collections (minor / major)", (c) => `${c.minorGcs} / ${c.majorGcs}`],
    ["GC time (ms)", (c) => c.gcMs],
    ["CPU (ms, counting on)", (c) => c.cpuMs]
  ]
  const show = (v: number | string) => (typeof v === "number" && Number.isNaN(v) ? "–" : String(v))
  return [
    `| a tap costs | ${columns.map((c) => c.bot).join(" | ")} |`,
    `|---|${columns.map(() => "---").join("|")}|`,
    ...rows.map(([name, of]) => `| ${name} | ${columns.map((c) => show(of(c.cost))).join(" | ")} |`)
  ].join("\n")
}
