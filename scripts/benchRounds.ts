/**
 * `npm run bench`'s funnel scenarios: rounds of the lead bot (on SQLite, and on PostgreSQL with --postgres), the
 * peer and the floor, interleaved; then one counted run a bot (what a tap costs); then each figure against issue 34's
 * targets.
 */
import { createDatabase } from "../sim/postgresDatabase.js"
import { type PerTap, perTapTable } from "./benchCounts.js"
import { idleSettlesMs, round2, runFunnel, SCENARIOS } from "./benchFunnel.js"
import { judge, type Measured, TARGETS, verdictLines } from "./benchTargets.js"

export type BenchBot = "bot" | "bot on PostgreSQL" | "peer" | "floor"

interface Options {
  readonly bots: ReadonlyArray<BenchBot>
  readonly rounds?: number | undefined
  readonly people?: number | undefined
  readonly warmUp: number
  readonly webhook: boolean
  readonly postgres?: string | undefined
  /** One counted run a bot, of the first scenario (CRM ok unless another is named). */
  readonly count: boolean
}

type Run = Awaited<ReturnType<typeof runFunnel>>

const funnelOf = async (name: string, bot: BenchBot, options: Options, counted = false): Promise<Run> => {
  const scenario = SCENARIOS[name]!
  // A database of its own per run on PostgreSQL: the same people tapping again would be repeat taps.
  const database = bot === "bot on PostgreSQL" ? await createDatabase(options.postgres!) : undefined
  return runFunnel(options.people === undefined ? scenario : { ...scenario, people: options.people }, {
    warmUp: options.warmUp,
    floor: bot === "floor",
    peer: bot === "peer",
    webhook: options.webhook,
    counted,
    extraEnv: database === undefined ? {} : { DATABASE_URL: database.url }
  }).finally(() => database?.drop())
}

const runLine = (round: number | undefined, r: Run) => {
  const { confirmationMs: ms } = r
  return [
    `${round === undefined ? "" : `round ${round}: `}${r.scenario}, ${r.people} people` +
    `${r.warmUp > 0 ? ` (after ${r.warmUp} others)` : ""}:`,
    `confirmation p50 ${ms.p50} / p95 ${ms.p95} / p99 ${ms.p99} ms;`,
    `every lead reached a human in ${r.allReachedHumanMs} ms`,
    `(CRM ${r.inCrm}, admin chat ${r.inAdminChat}, lost ${r.lost});`,
    `start→${r.mode === "webhook" ? "webhook set" : "polling"} ${r.startToPollingMs} ms,`,
    `start→ready ${Number.isNaN(r.startToReadyMs) ? "-" : `${r.startToReadyMs} ms`};`,
    `RSS 1 s after start ${r.rssAfterStartMb} MB, at rest (${idleSettlesMs() / 1000} s) ${r.idleRssMb} MB,`,
    `after the burst ${r.restRssAfterBurstMb} MB, peak ${r.peakRssMb} MB; CPU ${r.cpuSeconds} s`,
    `(burst: ${r.burstCpuSeconds.toConfirmAll} s to confirm all, ${r.burstCpuSeconds.toReachAll} s to deliver all);`,
    `stolen by the host ${r.cpuStolenPercent} %; bot warnings/errors ${r.botWarningsAndErrors}`
  ].join(" ")
}

/** Each figure of the bot ÷ its reference in the same round, against the targets of this scenario and mode. */
const measuredOf = (runs: ReadonlyArray<{ round: number; name: string; bot: BenchBot; r: Run }>, webhook: boolean) => {
  const measured: Array<Measured> = []
  const targets: Record<string, Record<string, number>> = webhook ? TARGETS.webhook : TARGETS.polling
  const of = (name: string, bot: BenchBot, figure: (r: Run) => number, reference: BenchBot) =>
    runs.filter((x) => x.name === name && x.bot === bot).flatMap((x) => {
      const ref = runs.find((y) => y.name === name && y.bot === reference && y.round === x.round)?.r
      return ref === undefined ? [] : [round2(figure(x.r) / figure(ref))]
    })
  const figures: Record<string, (r: Run) => number> = {
    "confirmation p99": (r) => r.confirmationMs.p99,
    "every lead reached a human": (r) => r.allReachedHumanMs,
    "CPU seconds": (r) => r.cpuSeconds,
    "RSS at rest": (r) => r.idleRssMb,
    "RSS at rest after the burst": (r) => r.restRssAfterBurstMb,
    "start → intake": (r) => r.startToPollingMs
  }
  for (const name of new Set(runs.map((x) => x.name))) {
    const scenario = `${SCENARIOS[name]!.name}${webhook ? ", webhook" : ""}`
    const target = (figure: string) =>
      // RSS at rest is the figure 20 s after start, not earlier (V8 gives start-up garbage back late).
      figure.startsWith("RSS at rest") && idleSettlesMs() < 20_000 ? Infinity : targets[name]?.[figure] ?? Infinity
    for (const [figure, value] of Object.entries(figures)) {
      measured.push({ scenario, figure, target: target(figure), ratios: of(name, "bot", value, "floor") })
    }
    const p99 = figures["confirmation p99"]!
    measured.push({
      scenario,
      figure: "confirmation p99 against the peer",
      target: target("confirmation p99 against the peer"),
      ratios: of(name, "bot", p99, "peer")
    })
    measured.push({
      scenario,
      figure: "confirmation p99 against SQLite",
      target: (TARGETS.postgres as Record<string, Record<string, number>>)[name]?.[
        "confirmation p99 against SQLite"
      ] ?? Infinity,
      ratios: of(name, "bot on PostgreSQL", p99, "bot")
    })
  }
  return measured
}

export const funnelBench = async (names: ReadonlyArray<string>, options: Options) => {
  const rounds = options.rounds ?? (options.bots.length > 1 ? 2 : 1)
  const runs: Array<{ round: number; name: string; bot: BenchBot; r: Run }> = []
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      for (const bot of options.bots) {
        if (bot === "floor" && SCENARIOS[name]!.crm.kind === "hang") continue
        const r = await funnelOf(name, bot, options)
        runs.push({ round, name, bot, r })
        console.log(runLine(rounds > 1 ? round : undefined, r))
      }
    }
  }
  const costs: Array<{ bot: BenchBot; cost: PerTap }> = []
  if (options.count) {
    for (const bot of options.bots) {
      const r = await funnelOf(names[0]!, bot, options, true)
      if (r.perTap !== undefined) costs.push({ bot, cost: r.perTap })
    }
    console.log(`\nWhat a tap costs (${SCENARIOS[names[0]!]!.name}, counted run; confirmation and delivery):`)
    console.log(perTapTable(costs))
    for (const { bot, cost } of costs.filter((c) => c.cost.effectBySpan.length > 0)) {
      const top = cost.effectBySpan.slice(0, 12).map(([span, n]) => `${span} ${n}`).join(", ")
      console.log(`${bot}: Effect operations a tap by the span they ran in: ${top}`)
    }
  }
  const verdicts = judge(measuredOf(runs, options.webhook))
  const shown = verdicts.filter((v) => v.target !== Infinity)
  console.log("\nBot ÷ floor (and ÷ the peer, PostgreSQL ÷ SQLite), medians of the rounds, against issue 34's targets:")
  for (const line of verdictLines(shown)) console.log(line)
  for (const v of verdicts.filter((v) => v.target === Infinity)) {
    console.log(`     ${v.scenario}: ${v.figure} (no target): ${v.median}× (rounds ${v.ratios.join(", ")}×)`)
  }
  // Every run: no lead lost, none delivered twice.
  const faulty = runs.filter((x) => x.r.lost > 0 || x.r.deliveredTwice > 0)
  for (const x of faulty) {
    console.log(`PAST round ${x.round}, ${x.r.scenario}: ${x.r.lost} lost, ${x.r.deliveredTwice} delivered twice`)
  }
  return { results: { runs, perTap: costs, verdicts }, past: shown.filter((v) => v.past).length + faulty.length }
}
