/**
 * One run of the benchmark's funnel: N people open the menu and tap at once, against the local stand-ins on
 * 127.0.0.1; the lead bot (the bundle, as `npm start` runs it), the floor or the peer, in its own process.
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

import { type CrmMode, type CrmRequest, CrmSim } from "../sim/CrmSim.js"
import { freePort } from "../sim/freePort.js"
import { startNginx } from "../sim/nginxProxy.js"
import { processStats, spawnBot } from "../sim/spawnBot.js"
import { type SimUser, TelegramSim } from "../sim/TelegramSim.js"
import { makeTempDir } from "../sim/tempDirs.js"
import { botEnv } from "../sim/world.js"
import { makeProbe, type PerTap, perTap } from "./benchCounts.js"

export interface Scenario {
  readonly name: string
  readonly people: number
  readonly crm: CrmMode
  readonly env?: Record<string, string>
}

export const SCENARIOS: Record<string, Scenario> = {
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

/** Idle RSS is read this long after start-up, and after the burst (`--idle-seconds`). */
let idleSettleMs = 20_000
export const settleIdleFor = (ms: number) => void (idleSettleMs = ms)
export const idleSettlesMs = () => idleSettleMs

export const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
export const round2 = (n: number) => round(n, 2)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface RunOptions {
  readonly extraEnv?: Record<string, string>
  /** People through the whole funnel (CRM ok) before the measured ones: the JIT has compiled the hot paths. */
  readonly warmUp?: number
  /** Runs the bare floor bot instead of the lead bot. */
  readonly floor?: boolean
  /** Runs the peer (the seed's design on grammY, scripts/bench-peer-bot.mjs) instead of the lead bot. */
  readonly peer?: boolean
  /** Counts what a tap costs (scripts/bench-probe.mjs): slower, so its times are not the figures. */
  readonly counted?: boolean
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
const PEER_BOT = fileURLToPath(new URL("./bench-peer-bot.mjs", import.meta.url))

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
  const {
    backlog = 0,
    counted = false,
    extraEnv = {},
    floor = false,
    nginx = false,
    peer = false,
    replicas = 1,
    warmUp = 0,
    webhook = false
  } = options
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
  const workDirs = ports.map(() => makeTempDir("bench"))
  const probe = counted ? makeProbe(workDirs[0]!) : undefined
  const bots = ports.map((port, i) =>
    spawnBot(
      {
        ...probe?.env,
        ...botEnv(telegram, crm),
        LOG_LEVEL: "warn",
        PORT: String(port),
        ...(webhook ? { WEBHOOK_URL: hook, WEBHOOK_SECRET: "bench", SHUTDOWN_DRAIN_SECONDS: "0" } : {}),
        ...scenario.env,
        ...extraEnv
      },
      workDirs[i],
      floor ? { script: FLOOR_BOT } : peer ? { script: PEER_BOT } : "bundle",
      probe?.nodeArgs
    )
  )
  const bot = bots[0]!
  const port = ports[0]!
  try {
    const intakeStarted = () => telegram.calls.some((c) => c.method === "getUpdates" || c.method === "setWebhook")
    await telegram.waitFor("polling (or the webhook set)", intakeStarted, 30_000)
    const startToPolling = performance.now() - started
    // The lead bot's readiness (the floor has no /readyz): what an orchestrator waits for.
    const startToReady = floor || peer
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
    const countsAtTap = await probe?.snapshot(bot.child.pid!)
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
    const cost: PerTap | undefined = probe === undefined || countsAtTap === undefined
      ? undefined
      : perTap(
        countsAtTap,
        await probe.snapshot(bot.child.pid!),
        people.length,
        telegram,
        firstTap + performance.timeOrigin,
        new URL(crm.webhookUrl("agency")).origin
      )
    const replicaStats = bots.map((b) => processStats(b.child.pid!))
    const burstCpu = replicaStats.reduce((sum, r, i) => sum + r.cpuSeconds - botsCpuAtTap[i]!, 0)
    const postgresCpu = postgresCpuSeconds() - postgresCpuAtTap
    const ticksAtEnd = cpuTicks()
    const benchCpu = process.cpuUsage(benchCpuStart)
    // At rest again after the burst, as long after it as the idle RSS is after start.
    await sleep(idleSettleMs)
    const afterBurst = processStats(bot.child.pid!)
    const sorted = [...latencies].sort((a, b) => a - b)
    return {
      scenario: scenario.name + (webhook ? ", webhook" : "") +
        (replicas > 1 || nginx
          ? `, ${replicas} replica${replicas > 1 ? "s" : ""}${nginx ? " behind nginx" : ""}`
          : "") +
        (extraEnv.DATABASE_URL?.startsWith("postgres") ? ", PostgreSQL" : "") +
        (floor ? " (floor: bare grammY bot)" : peer ? " (peer: the seed's design on grammY)" : ""),
      people: people.length,
      warmUp,
      perTap: cost,
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
      deliveredTwice: inCrm().length - new Set(inCrm().map(telegramIdOf)).size,
      inAdminChat: telegram.admin.length - backlog,
      lost: people.length - reached().size,
      mode: webhook ? "webhook" : "polling",
      startToPollingMs: round(startToPolling, 0),
      startToReadyMs: round(startToReady, 0),
      rssAfterStartMb: round(justStarted.rssMb),
      idleRssMb: round(idle.rssMb),
      restRssAfterBurstMb: round(afterBurst.rssMb),
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
