import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

import { makeTempDir, removeTempDir } from "./tempDirs.js"

const root = fileURLToPath(new URL("..", import.meta.url))

/** Bots this process started and that have not exited yet. */
const running = new Set<BotProcess>()

export interface BotProcess {
  readonly child: ChildProcess
  /** What it printed: each stream, and both in the order they came (`all`). */
  readonly output: () => { stdout: string; stderr: string; all: string }
  readonly exited: Promise<number | null>
}

/**
 * What `npm start` passes to node, the script's path made absolute: the benchmark and the end-to-end tests run
 * the bundle exactly as production does, flags included.
 */
export const npmStartNodeArgs = (): Array<string> => {
  const start: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start
  const [exec, node, ...args] = start.trim().split(/\s+/)
  // `exec`: the shell npm runs becomes node, so a supervisor's signal (forwarded by npm) reaches the bot.
  if (exec !== "exec" || node !== "node") throw new Error(`npm start should be "exec node …" (got: ${start})`)
  return args.map((arg) => (arg.endsWith(".mjs") ? join(root, arg) : arg))
}

/**
 * The bot as its own process (source under tsx, or the `npm run build` bundle that `npm start` runs; or another
 * script, such as the benchmark's floor), in an empty directory (so no developer's `.env` is read; ./data is its own).
 * A directory made here is removed when the bot exits; one passed in (kept across restarts) is the caller's.
 */
export const spawnBot = (
  env: Record<string, string>,
  workDir?: string,
  entry: "source" | "bundle" | { readonly script: string } = "source",
  extraNodeArgs: ReadonlyArray<string> = []
): BotProcess => {
  const cwd = workDir ?? makeTempDir("bot")
  // node itself (not the tsx CLI, which runs a child): a SIGKILL must hit the bot, not a wrapper.
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href
  // BOT_NODE_ARGS go to the bot's node only, e.g. "--cpu-prof --cpu-prof-dir=prof" to profile a benchmark run.
  const nodeArgs = [...(process.env.BOT_NODE_ARGS ?? "").split(" ").filter(Boolean), ...extraNodeArgs]
  const args = [
    ...nodeArgs,
    ...(entry === "bundle"
      ? npmStartNodeArgs()
      : entry === "source"
      ? ["--import", loader, join(root, "src/main.ts")]
      : [entry.script])
  ]
  const child = spawn(process.execPath, args, {
    cwd,
    // PORT 0: any free port on the loopback, unless the caller names one (tests run several bots at once).
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  let all = ""
  child.stdout!.on("data", (d) => {
    stdout += d
    all += d
  })
  child.stderr!.on("data", (d) => {
    stderr += d
    all += d
  })
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(bot)
      if (workDir === undefined) removeTempDir(cwd)
      resolve(code)
    })
  )
  const bot: BotProcess = { child, exited, output: () => ({ stdout, stderr, all }) }
  running.add(bot)
  return bot
}

/** Stops every bot this process started and is still running: SIGTERM, then SIGKILL after 15 s. */
export const stopAllBots = (): Promise<void> =>
  Promise.all([...running].map(async (bot) => {
    bot.child.kill("SIGTERM")
    const timer = setTimeout(() => bot.child.kill("SIGKILL"), 15_000)
    await bot.exited
    clearTimeout(timer)
  })).then(() => undefined)

/** The bot process's resident memory now and at its peak (MB), and CPU seconds so far, from /proc. */
export const processStats = (pid: number): { rssMb: number; peakRssMb: number; cpuSeconds: number } => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN)
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second).
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(fields[11]) + Number(fields[12])
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024, cpuSeconds: ticks / 100 }
}
