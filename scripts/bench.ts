/**
 * The project's benchmark: the real bot against the local stand-ins on 127.0.0.1, bounded in people and time.
 * What it runs and its options: HELP below (`npm run bench -- --help`).
 */
import { spawn } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import { SqlClient } from "@effect/sql"
import { Duration, Effect, Layer, Option } from "effect"

import { type CrmMode, type CrmRequest, CrmSim } from "../sim/CrmSim.js"
import { freePort } from "../sim/freePort.js"
import { startNginx } from "../sim/nginxProxy.js"
import { createDatabase } from "../sim/postgresDatabase.js"
import { processStats, spawnBot } from "../sim/spawnBot.js"
import { stopWholeOnSignal } from "../sim/stopOnSignal.js"
import { type SimUser, TelegramSim } from "../sim/TelegramSim.js"
import { makeTempDir, removeTempDirs } from "../sim/tempDirs.js"
import { botEnv } from "../sim/world.js"
import type { Lead } from "../src/lead/Lead.js"
import { REPEAT_TAP_WINDOW } from "../src/people/LeadTaps.js"
import { FollowUpState } from "../src/store/FollowUpState.js"
import { LeadStore } from "../src/store/LeadStore.js"
import { openDatabase } from "../src/store/sqlite/Database.js"
import { SqlStores, StoresTest } from "../src/store/Stores.js"
import { Transactor } from "../src/store/Transactor.js"
import { commandLine } from "./commandLine.js"
import { statsBench } from "./statsBench.js"

const HELP = `usage: npm run bench [-- <options>]

The project's benchmark. Runs the real bot (its own process, as \`npm start\` runs it) against the local stand-ins on
127.0.0.1 and measures what a person and a manager would notice. Bounded in people and time.

  npm run bench                        the three funnel scenarios (300 people CRM ok; 100 CRM 200 ms; 100 CRM hangs),
                                       two rounds, each on the bot and then on the floor, and the bot ÷ floor ratios
  npm run bench -- --bot-only --rounds 1   the bot alone, once (--idle-seconds 1: skip the wait for the idle RSS)
  npm run bench -- --scenario ok --people 50
  npm run bench -- --store             the store: leads recorded per second, and what durability adds to a tap
  npm run bench -- --stats             /stats 30 on a store of 100,000 leads: its queries and its chart (ms)
  npm run bench -- --warm-up 300       first 300 other people through the funnel (a bot that has been running)
  npm run bench -- --floor             the floor alone: the same funnel on a bare grammY bot
                                       (scripts/bench-floor-bot.mjs)
  npm run bench -- --webhook           Telegram pushes the updates to the bot's webhook instead of its polling
  npm run bench -- --start             \`npm start\` as a user runs it, until the bot polls (5 runs)
  npm run bench -- --postgres URL      the bot on PostgreSQL: a new database on that server for each run
  npm run bench -- --reconcile 500     new leads (300 people, CRM ok) while the CRM takes 500 fallbacks back
                                       (reconciliation), against the same backlog not reconciled, and the floor
  npm run bench -- --replicas --postgres URL
                                       webhook mode, CRM ok, 300 people: the floor; SQLite and PostgreSQL with one
                                       bot; then 1, 2 and 3 replicas on PostgreSQL behind nginx
  add --json FILE to write the figures as JSON (default bench-results.json)`

interface Scenario {
  readonly name: string
  readonly people: number
  readonly crm: CrmMode
  readonly env?: Record<string, string>
}

const SCENARIOS: Record<string, Scenario> = {
  ok: { name: "CRM ok", people: 300, crm: { kind: "ok" } },
  slow: { name: "CRM 200 ms", people: 100, crm: { kind: "slow", ms: 200 } },
  hang: { name: "CRM hangs, 2 s timeout", people: 100, crm: { kind: "hang" }, env: { CRM_TIMEOUT_MS: "2000" } }
}

/** The machine's CPU counters (all cores, in ticks): how much was stolen by the host (a VM's neighbours). */
const cpuTicks = () => {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/)
  const ticks = fields.map(Number)
  return { total: ticks.slice(0, 8).reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 }
}

/** CPU seconds used so far by the processes of the `postgres` user (the database server): 0 where there are none. */
const postgresCpuSeconds = () => {
  const uid = /^postgres:[^:]*:(\d+):/m.exec(readFileSync("/etc/passwd", "utf8"))?.[1]
  if (uid === undefined) return 0
  let ticks = 0
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (!new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readFileSync(`/proc/${pid}/status`, "utf8"))) continue
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100
}

/** The bot's warning and error lines (it runs with LOG_LEVEL=warn, so that is all it prints). */
const botProblems = (bot: { output: () => { stdout: string; stderr: string } }) =>
  (bot.output().stdout + bot.output().stderr).split("\n").filter((line) => /\b(WARN|ERROR|FATAL)\b/.test(line))

/** Idle RSS is read this long after start-up (`--idle-seconds`). */
let idleSettleMs = 20_000

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const round2 = (n: number) => round(n, 2)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface RunOptions {
  readonly extraEnv?: Record<string, string>
  /** People through the whole funnel (CRM ok) before the measured ones: the JIT has compiled the hot paths. */
  readonly warmUp?: number
  /** Runs the bare floor bot instead of the lead bot. */
  readonly floor?: boolean
  /** Telegram pushes the updates to the bot's webhook (on a free loopback port) instead of the bot polling. */
  readonly webhook?: boolean
  /** How many bots on the one store (PostgreSQL for more than one), and whether nginx spreads the webhook over them. */
  readonly replicas?: number
  readonly nginx?: boolean
  /**
   * Before the measured people, this many others' leads fall back (the CRM answers 500), and the CRM is back just as
   * the measured burst starts: with reconciliation on, the CRM takes that backlog meanwhile.
   */
  readonly backlog?: number
}

const FLOOR_BOT = fileURLToPath(new URL("./bench-floor-bot.mjs", import.meta.url))

/** Asks /readyz every 20 ms until it answers 200 (at most 30 s). */
const untilReady = async (url: string) => {
  const deadline = performance.now() + 30_000
  while (performance.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return
    await sleep(20)
  }
  throw new Error(`${url} never answered 200`)
}

export const runFunnel = async (scenario: Scenario, options: RunOptions = {}) => {
  const { backlog = 0, extraEnv = {}, floor = false, nginx = false, replicas = 1, warmUp = 0, webhook = false } =
    options
  if (floor && scenario.crm.kind === "hang") {
    throw new Error("the floor bot has no timeout and no fallback: use --scenario ok or slow")
  }
  const telegram = await TelegramSim.start()
  const crm = await CrmSim.start()
  const ports = await Promise.all(Array.from({ length: replicas }, () => freePort()))
  const proxy = nginx ? await startNginx(ports) : undefined
  const hook = `${proxy?.base ?? `http://127.0.0.1:${ports[0]}`}/bench-hook`
  const started = performance.now()
  const benchCpuStart = process.cpuUsage()
  const bots = ports.map((port) =>
    spawnBot(
      {
        ...botEnv(telegram, crm),
        LOG_LEVEL: "warn",
        PORT: String(port),
        ...(webhook ? { WEBHOOK_URL: hook, WEBHOOK_SECRET: "bench", SHUTDOWN_DRAIN_SECONDS: "0" } : {}),
        ...scenario.env,
        ...extraEnv
      },
      makeTempDir("bench"),
      floor ? { script: FLOOR_BOT } : "bundle"
    )
  )
  const bot = bots[0]!
  const port = ports[0]!
  try {
    const intakeStarted = () => telegram.calls.some((c) => c.method === "getUpdates" || c.method === "setWebhook")
    await telegram.waitFor("polling (or the webhook set)", intakeStarted, 30_000)
    const startToPolling = performance.now() - started
    // The lead bot's readiness (the floor has no /readyz): what an orchestrator waits for.
    const startToReady = floor
      ? NaN
      : await untilReady(`http://127.0.0.1:${port}/readyz`).then(() => performance.now() - started)
    for (const other of ports.slice(1)) await untilReady(`http://127.0.0.1:${other}/readyz`)
    await sleep(1000)
    const justStarted = processStats(bot.child.pid!)
    // V8 gives start-up garbage back only once the process has been idle a while (its memory reducer).
    await sleep(Math.max(0, idleSettleMs - 1000))
    const idle = processStats(bot.child.pid!)

    /** Others through the menu and the tap, before the measured people: each has their menu first. */
    const othersTap = async (others: ReadonlyArray<SimUser>, what: string) => {
      for (const p of others) telegram.sendText(p, "/start agency")
      await telegram.waitFor(
        `the ${what} menus`,
        () => others.every((p) => telegram.botMessages(p.id).length > 0),
        60_000
      )
      for (const p of others) telegram.tap(p, "📈 Привлечь клиентов")
    }
    if (warmUp > 0) {
      await othersTap(
        Array.from({ length: warmUp }, (_, i) => ({ id: 90_000 + i, first_name: `Early ${i}` })),
        "warm-up"
      )
      await telegram.waitFor("the warm-up leads in the CRM", () => crm.accepted.length >= warmUp, 60_000)
      await sleep(2000)
    }
    if (process.env.DUMP_METRICS) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())
      console.log(text.split("\n").filter((l) => /^effect_fiber/.test(l)).join("\n"))
    }
    const waiting = Array.from({ length: backlog }, (_, i) => ({ id: 60_000 + i, first_name: `Waiting ${i}` }))
    const waitingIds = new Set(waiting.map((p) => p.id))
    const backlogInCrm = () =>
      crm.made.filter((r) => waitingIds.has((r.body as { contact: { telegram_id: number } }).contact.telegram_id))
        .length
    if (backlog > 0) {
      await crm.setMode({ kind: "status", status: 500 })
      await othersTap(waiting, "backlog's")
      await telegram.waitFor("the backlog's fallbacks", () => telegram.admin.length >= backlog, 120_000)
    }
    await crm.setMode(scenario.crm)
    // With reconciliation on, the burst starts once the CRM is taking the backlog.
    if (backlog > 0 && extraEnv.CRM_RECONCILE_HOURS !== "0") {
      await telegram.waitFor("the backlog flowing to the CRM", () => backlogInCrm() > 0 || undefined, 120_000)
    }
    const people = Array.from(
      { length: scenario.people },
      (_, i) => ({ id: 10_000 + i, first_name: `Person ${i}`, username: `person_${i}` })
    )
    // One listener instead of a waiter per person: the stand-ins share this process with the measurement.
    const menus = new Set<number>()
    const confirmedAt = new Map<number, number>()
    telegram.onBotMessage((m) => {
      if (m.keyboard.length > 0) menus.add(m.chatId)
      if (m.text.startsWith("✅ Принято")) confirmedAt.set(m.chatId, m.at)
    })
    for (const p of people) telegram.sendText(p, "/start agency")
    await telegram.waitFor("every menu", () => menus.size === people.length, 60_000)
    const tappedAt = new Map<number, number>()
    const ticksAtTap = cpuTicks()
    const botsCpuAtTap = bots.map((b) => processStats(b.child.pid!).cpuSeconds)
    const postgresCpuAtTap = postgresCpuSeconds()
    const firstTap = performance.now()
    for (const p of people) {
      tappedAt.set(p.id, performance.now())
      telegram.tap(p, "📈 Привлечь клиентов")
    }
    await telegram.waitFor("every confirmation", () => confirmedAt.size === people.length, 60_000).catch((error) => {
      throw new Error(
        `${error.message} (${confirmedAt.size} of ${people.length}); the bot said:\n${
          botProblems(bot).slice(-20).join("\n")
        }`
      )
    })
    const latencies = people.map((p) => confirmedAt.get(p.id)! - tappedAt.get(p.id)!)
    const cpuToConfirmAll = bots.reduce(
      (sum, b, i) => sum + processStats(b.child.pid!).cpuSeconds - botsCpuAtTap[i]!,
      0
    )

    const measured = new Set(people.map((p) => p.id))
    const telegramIdOf = (request: CrmRequest) =>
      (request.body as { contact: { telegram_id: number } }).contact.telegram_id
    const inCrm = () => crm.accepted.filter((r) => measured.has(telegramIdOf(r)))
    const reached = () => {
      const ids = new Set<number>(inCrm().map(telegramIdOf))
      for (const m of telegram.admin) {
        const id = Number(/Telegram ID: (\d+)/.exec(m.text)?.[1])
        if (measured.has(id)) ids.add(id)
      }
      return ids
    }
    let allReachedMs = NaN
    try {
      await telegram.waitFor("every lead to reach a human", () => reached().size >= people.length, 60_000)
      allReachedMs = performance.now() - firstTap
    } catch {
      // counted as lost below
    }
    const busy = processStats(bot.child.pid!)
    if (process.env.DUMP_METRICS) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())
      console.log(text.split("\n").filter((l) => /^effect_fiber/.test(l)).join("\n"))
    }
    const replicaStats = bots.map((b) => processStats(b.child.pid!))
    const burstCpu = replicaStats.reduce((sum, r, i) => sum + r.cpuSeconds - botsCpuAtTap[i]!, 0)
    const postgresCpu = postgresCpuSeconds() - postgresCpuAtTap
    const ticksAtEnd = cpuTicks()
    const benchCpu = process.cpuUsage(benchCpuStart)
    const sorted = [...latencies].sort((a, b) => a - b)
    return {
      scenario: scenario.name + (webhook ? ", webhook" : "") +
        (replicas > 1 || nginx
          ? `, ${replicas} replica${replicas > 1 ? "s" : ""}${nginx ? " behind nginx" : ""}`
          : "") +
        (extraEnv.DATABASE_URL?.startsWith("postgres") ? ", PostgreSQL" : "") +
        (floor ? " (floor: bare grammY bot)" : ""),
      people: people.length,
      warmUp,
      confirmationMs: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1)!)
      },
      allReachedHumanMs: round(allReachedMs, 0),
      backlog,
      /** Of the backlog, how many leads the CRM had when the measured ones were all delivered. */
      backlogInCrm: backlogInCrm(),
      inCrm: inCrm().length,
      inAdminChat: telegram.admin.length - backlog,
      lost: people.length - reached().size,
      mode: webhook ? "webhook" : "polling",
      startToPollingMs: round(startToPolling, 0),
      startToReadyMs: round(startToReady, 0),
      rssAfterStartMb: round(justStarted.rssMb),
      idleRssMb: round(idle.rssMb),
      peakRssMb: round(busy.peakRssMb),
      cpuSeconds: round(busy.cpuSeconds, 2),
      // From the first tap: until every person was confirmed, and until every lead reached a human.
      burstCpuSeconds: { toConfirmAll: round(cpuToConfirmAll, 2), toReachAll: round(burstCpu, 2) },
      replicas,
      // From the first tap until every lead reached a human, all replicas together (and the database server's).
      cpuMsPerLead: round((1000 * burstCpu) / people.length, 2),
      postgresCpuMsPerLead: round((1000 * postgresCpu) / people.length, 2),
      peakRssMbPerReplica: replicaStats.map((r) => round(r.peakRssMb)),
      standInsCpuSeconds: round((benchCpu.user + benchCpu.system) / 1e6, 2),
      // Above a few per cent, the figures say more about the host than about the bot.
      botWarningsAndErrors: bots.reduce((sum, b) => sum + botProblems(b).length, 0),
      cpuStolenPercent: round(
        (100 * (ticksAtEnd.steal - ticksAtTap.steal)) / Math.max(1, ticksAtEnd.total - ticksAtTap.total)
      )
    }
  } finally {
    for (const b of bots) b.child.kill("SIGTERM")
    await Promise.race([Promise.all(bots.map((b) => b.exited)), sleep(15_000)])
    for (const b of bots) b.child.kill("SIGKILL")
    await proxy?.stop()
    await Promise.all([telegram.close(), crm.close()])
  }
}

/** One tap's writes, as the funnel makes them: the lead and the person's pointer to it, in one unit. */
const recordTap = (id: string, telegramId: number) =>
  Effect.gen(function*() {
    const leads = yield* LeadStore
    const followUps = yield* FollowUpState
    const { atomically } = yield* Transactor
    const lead: Lead = {
      id,
      profile: "agency",
      brandName: "MONSTER AGENCY",
      serviceId: "clients",
      title: "Привлечь клиентов",
      contact: { telegramId, fullName: `Person ${telegramId}`, username: Option.some(`p${telegramId}`) },
      createdAt: Date.now(),
      tapId: `q-${id}`,
      campaign: Option.none()
    }
    const repeatSince = lead.createdAt - Duration.toMillis(REPEAT_TAP_WINDOW)
    yield* atomically(
      leads.record(lead, repeatSince).pipe(
        Effect.tap((fresh) => (fresh ? followUps.attach(telegramId, lead.id) : Effect.void))
      )
    )
  })

/** Leads recorded (lead + the person's pointer, one transaction) per second, one after another. */
const recordLeads = (count: number) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    const start = performance.now()
    for (let i = 0; i < count; i++) {
      const t = performance.now()
      yield* recordTap(`bench-${i}`, 20_000 + i)
      times.push(performance.now() - t)
    }
    const seconds = (performance.now() - start) / 1000
    times.sort((a, b) => a - b)
    return {
      leadsPerSecond: round(count / seconds, 0),
      p50Ms: round(percentile(times, 50), 3),
      p99Ms: round(percentile(times, 99), 3)
    }
  })

/** Groups of `size` leads recorded at once (as a burst of taps does), sharing a group commit: ms per group. */
const recordGroups = (groups: number, size: number) =>
  Effect.gen(function*() {
    const times: Array<number> = []
    for (let g = 0; g < groups; g++) {
      const t = performance.now()
      yield* Effect.all(Array.from({ length: size }, (_, i) => recordTap(`group-${g}-${i}`, 30_000 + g * size + i)), {
        concurrency: "unbounded",
        discard: true
      })
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    return { groups, size, p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2) }
  })

const storeBench = async () => {
  const count = 2000
  const file = join(makeTempDir("store-bench"), "leads.sqlite")
  const sqlite = SqlStores.pipe(Layer.provide(Layer.scoped(SqlClient.SqlClient, openDatabase(file).pipe(Effect.orDie))))
  const memory = StoresTest
  const durable = await Effect.runPromise(recordLeads(count).pipe(Effect.provide(sqlite), Effect.scoped))
  const grouped = await Effect.runPromise(recordGroups(80, 25).pipe(Effect.provide(sqlite), Effect.scoped))
  const inMemory = await Effect.runPromise(recordLeads(count).pipe(Effect.provide(memory)))
  const tapFile = await runFunnel(SCENARIOS.ok!)
  const tapNoFsync = await runFunnel(SCENARIOS.ok!, { extraEnv: { DATABASE_URL: "sqlite::memory:" } })
  return {
    recordSqliteFull: { count, ...durable },
    recordMemory: { count, ...inMemory },
    groupCommit: grouped,
    funnelSqliteFile: tapFile.confirmationMs,
    funnelSqliteInMemory: tapNoFsync.confirmationMs,
    durabilityAddsMs: {
      p50: round(tapFile.confirmationMs.p50 - tapNoFsync.confirmationMs.p50),
      p99: round(tapFile.confirmationMs.p99 - tapNoFsync.confirmationMs.p99)
    }
  }
}

/**
 * `npm start` as a user runs it (npm, its prestart check of the bundle, then node) until the bot polls, `times`
 * times; the bundle is current, as it is after the first start.
 */
const npmStartToPolling = async (times: number) => {
  const root = fileURLToPath(new URL("..", import.meta.url))
  const runs: Array<number> = []
  for (let i = 0; i < times; i++) {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    const started = performance.now()
    const npm = spawn("npm", ["start"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...botEnv(telegram, crm),
        DATA_DIR: makeTempDir("npm-start"),
        LOG_LEVEL: "warn"
      },
      stdio: "ignore"
    })
    const exited = new Promise((resolve) => npm.on("exit", resolve))
    try {
      await telegram.waitFor("polling", () => telegram.calls.some((c) => c.method === "getUpdates"), 30_000)
      runs.push(round(performance.now() - started, 0))
    } finally {
      npm.kill("SIGTERM")
      await Promise.race([exited, sleep(15_000)])
      await Promise.all([telegram.close(), crm.close()])
    }
  }
  return runs
}

/**
 * New leads while the CRM takes a backlog of `backlog` fallbacks (reconciliation): 300 people, CRM ok, the bot with
 * reconciliation on and off (CRM_RECONCILE_HOURS=0, the same backlog) and the floor, `rounds` times, interleaved.
 */
const reconcileBench = async (backlog: number, rounds: number) => {
  const scenario = SCENARIOS.ok!
  const runs: Array<{ round: number; bot: string; r: Awaited<ReturnType<typeof runFunnel>> }> = []
  for (let round = 1; round <= rounds; round++) {
    for (const bot of ["reconciling", "not reconciling", "floor"]) {
      const r = await runFunnel(scenario, {
        floor: bot === "floor",
        backlog: bot === "floor" ? 0 : backlog,
        extraEnv: bot === "not reconciling" ? { CRM_RECONCILE_HOURS: "0" } : {}
      })
      runs.push({ round, bot, r })
      console.log([
        `round ${round}: ${bot}${bot === "floor" ? "" : `, backlog ${backlog}`}, ${r.people} people:`,
        `confirmation p50 ${r.confirmationMs.p50} / p99 ${r.confirmationMs.p99} ms;`,
        `every lead reached a human in ${r.allReachedHumanMs} ms (lost ${r.lost});`,
        `backlog in the CRM by then ${r.backlogInCrm}; CPU to confirm all ${r.burstCpuSeconds.toConfirmAll} s`
      ].join(" "))
    }
  }
  const p99 = (bot: string) => runs.filter((x) => x.bot === bot).map((x) => x.r.confirmationMs.p99)
  const ratio = (a: string, b: string) =>
    runs.filter((x) => x.bot === a).map((x) =>
      round2(x.r.confirmationMs.p99 / runs.find((y) => y.bot === b && y.round === x.round)!.r.confirmationMs.p99)
    )
  console.log(
    `confirmation p99: reconciling ÷ not ${ratio("reconciling", "not reconciling").join(", ")}×; ` +
      `reconciling ÷ floor ${ratio("reconciling", "floor").join(", ")}×; not ÷ floor ${
        ratio("not reconciling", "floor").join(", ")
      }× (p99 ms: reconciling ${p99("reconciling").join(", ")}; not ${p99("not reconciling").join(", ")}; floor ${
        p99("floor").join(", ")
      })`
  )
  return runs
}

const main = async () => {
  const { values } = commandLine("bench", HELP, {
    options: {
      scenario: { type: "string" },
      people: { type: "string" },
      store: { type: "boolean", default: false },
      stats: { type: "boolean", default: false },
      "warm-up": { type: "string", default: "0" },
      floor: { type: "boolean", default: false },
      webhook: { type: "boolean", default: false },
      start: { type: "boolean", default: false },
      postgres: { type: "string" },
      replicas: { type: "boolean", default: false },
      reconcile: { type: "string" },
      rounds: { type: "string" },
      "bot-only": { type: "boolean", default: false },
      "idle-seconds": { type: "string", default: "20" },
      json: { type: "string", default: "bench-results.json" }
    }
  })
  idleSettleMs = Number(values["idle-seconds"]) * 1000
  const results: Record<string, unknown> = {}
  if (values.start) {
    const runs = await npmStartToPolling(5)
    results.npmStartToPollingMs = runs
    console.log(`npm start → polling, 5 runs: ${runs.join(", ")} ms`)
  } else if (values.reconcile !== undefined) {
    results.reconcile = await reconcileBench(Number(values.reconcile), Number(values.rounds ?? 2))
  } else if (values.replicas) {
    if (values.postgres === undefined) {
      throw new Error("--replicas needs --postgres URL (a server to make databases on)")
    }
    const server = values.postgres
    const people = values.people ? Number(values.people) : SCENARIOS.ok!.people
    const scenario = { ...SCENARIOS.ok!, people }
    const onPostgres = async (options: RunOptions) => {
      const database = await createDatabase(server)
      return runFunnel(scenario, { ...options, extraEnv: { DATABASE_URL: database.url } }).finally(database.drop)
    }
    const runs = {
      floor: await runFunnel(scenario, { webhook: true, floor: true }),
      sqlite: await runFunnel(scenario, { webhook: true }),
      postgres: await onPostgres({ webhook: true }),
      nginx1: await onPostgres({ webhook: true, nginx: true, replicas: 1 }),
      nginx2: await onPostgres({ webhook: true, nginx: true, replicas: 2 }),
      nginx3: await onPostgres({ webhook: true, nginx: true, replicas: 3 })
    }
    results.replicas = runs
    for (const r of Object.values(runs)) {
      const { confirmationMs: ms } = r
      console.log([
        `${r.scenario}: confirmation p50 ${ms.p50} / p99 ${ms.p99} ms;`,
        `all reached a human in ${r.allReachedHumanMs} ms (lost ${r.lost});`,
        `CPU ${r.cpuMsPerLead} ms/lead (PostgreSQL server ${r.postgresCpuMsPerLead} ms/lead);`,
        `peak RSS per replica ${r.peakRssMbPerReplica.join(", ")} MB; stolen ${r.cpuStolenPercent} %;`,
        `warnings/errors ${r.botWarningsAndErrors}`
      ].join(" "))
    }
  } else if (values.stats) {
    const database = values.postgres === undefined ? undefined : await createDatabase(values.postgres)
    const stats = await statsBench(100_000, database?.url).finally(() => database?.drop())
    results.stats = stats
    const q = stats.queryMs
    console.log([
      `/stats 30 on ${stats.store}, ${stats.leads} leads and ${stats.starts} /start events:`,
      `lead tallies ${q.leadTallies} ms, openers ${q.openerTallies} ms, leads per slot ${q.leadsPerSlot} ms;`,
      `chart ${stats.chartMs.first} ms first (loads the canvas), ${stats.chartMs.warm} ms warm`
    ].join(" "))
  } else if (values.store) {
    const store = await storeBench()
    results.store = store
    const { durabilityAddsMs: fsync, funnelSqliteFile: file, funnelSqliteInMemory: memory, groupCommit: group } = store
    const full = store.recordSqliteFull
    console.log([
      `store: ${full.leadsPerSecond} leads/s recorded with synchronous=FULL`,
      `(p50 ${full.p50Ms} ms, p99 ${full.p99Ms} ms per lead); in memory ${store.recordMemory.leadsPerSecond} leads/s`
    ].join(" "))
    console.log(
      `group commit: ${group.size} leads at once, ${group.groups} times:`,
      `p50 ${group.p50Ms} ms,`,
      `p99 ${group.p99Ms} ms per group`
    )
    console.log([
      `press→confirmation, 300 people: SQLite file p50 ${file.p50} / p99 ${file.p99} ms;`,
      `SQLite in memory p50 ${memory.p50} / p99 ${memory.p99} ms;`,
      `durability adds p50 ${fsync.p50} / p99 ${fsync.p99} ms`
    ].join(" "))
  } else {
    const names = values.scenario ? [values.scenario] : Object.keys(SCENARIOS)
    for (const name of names) {
      if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(", ")}`)
    }
    // Which bots: the lead bot and, in the same run, the floor (where it can: it has no timeout and no fallback).
    const bots = values.floor ? ["floor"] : values["bot-only"] ? ["bot"] : ["bot", "floor"]
    const rounds = Number(values.rounds ?? (bots.length > 1 ? 2 : 1))
    const runs: Array<{ round: number; name: string; bot: string; r: Awaited<ReturnType<typeof runFunnel>> }> = []
    for (let round = 1; round <= rounds; round++) {
      for (const name of names) {
        const scenario = SCENARIOS[name]!
        for (const bot of bots) {
          if (bot === "floor" && scenario.crm.kind === "hang") continue
          // A database of its own per run on PostgreSQL: the same people tapping again would be repeat taps.
          const database = values.postgres === undefined || bot === "floor"
            ? undefined
            : await createDatabase(values.postgres)
          const r = await runFunnel(values.people ? { ...scenario, people: Number(values.people) } : scenario, {
            warmUp: Number(values["warm-up"]),
            floor: bot === "floor",
            webhook: values.webhook,
            extraEnv: database === undefined ? {} : { DATABASE_URL: database.url }
          }).finally(() => database?.drop())
          runs.push({ round, name, bot, r })
          const { confirmationMs: ms } = r
          console.log([
            `${rounds > 1 ? `round ${round}: ` : ""}${r.scenario}, ${r.people} people` +
            `${r.warmUp > 0 ? ` (after ${r.warmUp} others)` : ""}:`,
            `confirmation p50 ${ms.p50} / p95 ${ms.p95} / p99 ${ms.p99} ms;`,
            `every lead reached a human in ${r.allReachedHumanMs} ms`,
            `(CRM ${r.inCrm}, admin chat ${r.inAdminChat}, lost ${r.lost});`,
            `start→${r.mode === "webhook" ? "webhook set" : "polling"} ${r.startToPollingMs} ms,`,
            `start→ready ${Number.isNaN(r.startToReadyMs) ? "-" : `${r.startToReadyMs} ms`};`,
            `RSS 1 s after start ${r.rssAfterStartMb} MB,`,
            `idle (${idleSettleMs / 1000} s) ${r.idleRssMb} MB, peak ${r.peakRssMb} MB; CPU ${r.cpuSeconds} s`,
            `(burst: ${r.burstCpuSeconds.toConfirmAll} s to confirm all,`,
            `${r.burstCpuSeconds.toReachAll} s to deliver all);`,
            `stolen by the host ${r.cpuStolenPercent} %; bot warnings/errors ${r.botWarningsAndErrors}`
          ].join(" "))
        }
      }
    }
    results.runs = runs
    // Each figure of the bot divided by the floor's of the same round: what BENCHMARKS.md's opening table shows.
    const ratios: Record<string, Record<string, Array<number>>> = {}
    for (const { bot, name, r, round } of runs) {
      const floor = runs.find((f) => f.bot === "floor" && f.name === name && f.round === round)?.r
      if (bot !== "bot" || floor === undefined) continue
      const of = (figure: (x: typeof r) => number) => round2(figure(r) / figure(floor))
      const add = (figure: string, value: number) => {
        ;((ratios[name] ??= {})[figure] ??= []).push(value)
      }
      add("confirmation p99", of((x) => x.confirmationMs.p99))
      add("every lead reached a human", of((x) => x.allReachedHumanMs))
      add("CPU seconds", of((x) => x.cpuSeconds))
      add("RSS at rest", of((x) => x.idleRssMb))
      add("start → intake", of((x) => x.startToPollingMs))
    }
    results.ratios = ratios
    for (const [name, figures] of Object.entries(ratios)) {
      const line = Object.entries(figures).map(([figure, values]) =>
        `${figure} ${Math.min(...values)}–${Math.max(...values)}×`
      )
      console.log(`${SCENARIOS[name]!.name}${values.webhook ? ", webhook" : ""}: bot ÷ floor: ${line.join("; ")}`)
    }
  }
  writeFileSync(
    values.json!,
    JSON.stringify(
      {
        machine: `${process.platform} ${process.arch}, node ${process.version}`,
        at: new Date().toISOString(),
        results
      },
      null,
      2
    ) + "\n"
  )
  console.log(`figures written to ${values.json}`)
}

stopWholeOnSignal()
main().then(removeTempDirs, (error) => {
  removeTempDirs()
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
