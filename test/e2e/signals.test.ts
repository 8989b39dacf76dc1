import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"

import { afterEach, beforeAll, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { freePort } from "../../sim/freePort.js"
import { descendants } from "../../sim/stopOnSignal.js"
import { type SimUser, TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { until } from "../support/until.js"
import { WEBHOOK_PATH, WEBHOOK_SECRET } from "../support/webhookEnv.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

/**
 * `npm start` as production runs it (a terminal, a systemd unit): npm and the bot in one process group of their own
 * (its id is npm's pid), so that a signal to the group reaches both, as a terminal's Ctrl+C or systemd's
 * `KillMode=control-group` SIGTERM does; npm forwards its copy to the bot as well.
 */
interface NpmStart {
  readonly pgid: number
  /** The bot's pid (npm's child: the script `exec`s node). */
  readonly bot: number
  readonly output: () => string
  /** The bot's stderr (npm's, which the bot shares). */
  readonly stderr: () => string
  /** npm's exit: its code, or the signal that ended it (npm re-raises the signal that killed the bot). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly ended: () => boolean
}

const started: Array<ChildProcess> = []

const npmStart = async (port: number, env: Record<string, string>): Promise<NpmStart> => {
  const npm = spawn("npm", ["start"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      HOST: "127.0.0.1",
      LOG_LEVEL: "Info",
      ...env,
      PORT: String(port)
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  })
  started.push(npm)
  let output = ""
  let stderr = ""
  npm.stdout!.on("data", (d) => (output += d))
  npm.stderr!.on("data", (d) => {
    output += d
    stderr += d
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on("exit", (code, signal) => resolve({ code, signal }))
  )
  const ended = () => npm.exitCode !== null || npm.signalCode !== null
  const state = await until(`the bot ready on ${port} (/readyz 200)`, async () => {
    if (ended()) return "ended"
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? "ready" : undefined
  }, 30_000)
  const [bot] = descendants(npm.pid!)
  if (state === "ended" || bot === undefined) throw new Error(`npm start ended before the bot was ready:\n${output}`)
  return { pgid: npm.pid!, bot, output: () => output, stderr: () => stderr, exited, ended }
}

/** npm's exit, or "still running" after `ms` (then the group is killed): a hang fails instead of timing out. */
const exitWithin = async (run: NpmStart, ms: number) => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)))
  const result = await Promise.race([run.exited, late])
  clearTimeout(timer)
  if (result === "still running") killGroup(run.pgid, "SIGKILL")
  return result
}

const killGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // gone already
  }
}

const personFor = (n: number): SimUser => ({ id: 7000 + n, first_name: `Signal${n}` })
const leadsOf = (crm: CrmSim, person: SimUser) =>
  crm.requests.filter((r) => (r.body as { contact?: { telegram_id?: number } }).contact?.telegram_id === person.id)

/** A person's lead, once the CRM stand-in has it (and, being slow, has not answered yet). */
const leadInFlight = async (telegram: TelegramSim, crm: CrmSim, person: SimUser) => {
  telegram.sendText(person, "/start agency")
  await telegram.waitFor("the menu", () => telegram.botMessages(person.id)[0], 10_000)
  telegram.tap(person, "📈 Привлечь клиентов")
  await telegram.waitFor("the CRM request under way", () => leadsOf(crm, person).length === 1, 10_000)
}

const modeEnv = (mode: "polling" | "webhook", port: number): Record<string, string> =>
  mode === "polling" ? {} : {
    WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    WEBHOOK_SECRET,
    // The drain is part of the stop under test; 1 s keeps the file short.
    SHUTDOWN_DRAIN_SECONDS: "1"
  }

describe("a stop signal to npm start's whole process group (a terminal's Ctrl+C, systemd's SIGTERM)", () => {
  beforeAll(() => {
    // Built once here, so that npm start's `prestart` finds the bundle fresh and every start below is the same.
    execFileSync("node", ["scripts/build.mjs", "--if-stale"], { cwd: root, stdio: "ignore" })
  }, 60_000)

  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const npm of started.splice(0)) killGroup(npm.pid!, "SIGKILL")
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it.each(["polling", "webhook"] as const)(
    "%s: 12 group signals (SIGTERM and SIGINT, idle and with a CRM call in flight, 3 times each): each a graceful stop",
    async (mode) => {
      const telegram = await TelegramSim.start()
      const crm = await CrmSim.start()
      cleanups.push(() => telegram.close(), () => crm.close())
      await crm.setMode({ kind: "slow", ms: 1000 })
      // One store across the runs: a lead abandoned by one run would be sent again by the next.
      const dataDir = makeTempDir("signals")
      const outcomes: Array<string> = []
      const people: Array<SimUser> = []
      for (let round = 0; round < 3; round++) {
        for (const signal of ["SIGTERM", "SIGINT"] as const) {
          for (const busy of [true, false]) {
            const port = await freePort()
            const run = await npmStart(port, { ...botEnv(telegram, crm), DATA_DIR: dataDir, ...modeEnv(mode, port) })
            if (busy) {
              const person = personFor(people.length)
              people.push(person)
              await leadInFlight(telegram, crm, person)
            }
            killGroup(run.pgid, signal)
            const exit = await exitWithin(run, 20_000)
            const output = run.output()
            const graceful = exit !== "still running" && exit.code === 0 && exit.signal === null &&
              output.includes("stopping: /readyz answers 503") && output.includes("delivery stopped") &&
              output.includes(mode === "polling" ? "polling stopped" : "stopping: the webhook route answers 503") &&
              (!busy || output.includes("lead delivered to the CRM")) && !existsSync(`/proc/${run.bot}`)
            const what = `${signal} ${busy ? "busy" : "idle"} #${round + 1}`
            outcomes.push(graceful ? `${what}: graceful` : `${what}: ${JSON.stringify(exit)}\n${output}`)
          }
        }
      }
      expect(outcomes.filter((o) => !o.endsWith(": graceful"))).toEqual([])
      expect(outcomes).toHaveLength(12)
      // Each lead under way when its run was signalled reached the CRM once: finished by the stop, not sent again.
      expect(people.map((p) => leadsOf(crm, p).length)).toEqual(people.map(() => 1))
      expect(crm.accepted).toHaveLength(people.length)
    },
    100_000
  )

  it.each([["SIGINT", 130], ["SIGTERM", 143]] as const)(
    "%s again a second or more later (the first stop still draining): ends at once, one line; exit %i",
    async (signal, code) => {
      const telegram = await TelegramSim.start()
      const crm = await CrmSim.start()
      cleanups.push(() => telegram.close(), () => crm.close())
      const port = await freePort()
      const env = { ...botEnv(telegram, crm), DATA_DIR: makeTempDir("signals"), ...modeEnv("webhook", port) }
      // A drain of 20 s: the first stop alone would take that long.
      const run = await npmStart(port, { ...env, SHUTDOWN_DRAIN_SECONDS: "20" })
      killGroup(run.pgid, signal)
      await until(
        "the drain under way",
        async () => run.output().includes("webhook requests are still taken") || run.ended() || undefined
      )
      expect(run.ended(), `the first signal ended the bot at once:\n${run.output()}`).toBe(false)
      await new Promise((resolve) => setTimeout(resolve, 1_300))
      const again = Date.now()
      killGroup(run.pgid, signal)
      // npm passes the bot's exit code on: the one a shell gives a process that signal ended.
      expect(await exitWithin(run, 5_000), run.output()).toEqual({ code, signal: null })
      expect(Date.now() - again).toBeLessThan(3_000)
      expect(run.stderr().split("\n")).toContain("second signal: stopping now")
      expect(run.stderr().match(/second signal/g)).toHaveLength(1)
      expect(existsSync(`/proc/${run.bot}`)).toBe(false)
    },
    40_000
  )
})
