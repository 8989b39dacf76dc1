import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { existsSync, readFileSync, readlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"

import { afterEach, describe, expect, it } from "vitest"

import { freePort } from "../../sim/freePort.js"
import { descendants } from "../../sim/stopOnSignal.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { until } from "../support/until.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ")
  } catch {
    return ""
  }
}

describe("npm scripts that start something long-lived stop whole on SIGTERM to npm's pid", () => {
  const started: Array<ChildProcess> = []
  afterEach(() => {
    for (const npm of started.splice(0)) {
      for (const pid of descendants(npm.pid!)) {
        try {
          process.kill(pid, "SIGKILL")
        } catch {
          // gone
        }
      }
      npm.kill("SIGKILL")
    }
  })

  it.each(
    [
      ["sandbox", async () => ["--", "--port", String(await freePort())]],
      ["demo", async () => []],
      ["bench", async () => ["--", "--bot-only", "--rounds", "1"]]
    ] as const
  )("npm run %s: the bot, its stand-ins and its temporary folders go with it", async (script, args) => {
    const npm = spawn("npm", ["run", script, ...(await args())], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() },
      stdio: ["ignore", "pipe", "pipe"]
    })
    started.push(npm)
    let output = ""
    npm.stdout!.on("data", (d) => (output += d))
    npm.stderr!.on("data", (d) => (output += d))
    const exited = new Promise<number | null>((resolve) => npm.on("exit", resolve))
    const bot = await until(
      `a bot started by npm run ${script}`,
      async () => descendants(npm.pid!).find((pid) => cmdline(pid).includes("dist/app/main.mjs")),
      90_000
    )
    const everything = descendants(npm.pid!)
    const botFolder = readlinkSync(`/proc/${bot}/cwd`)
    expect(botFolder.startsWith(tmpdir())).toBe(true)

    npm.kill("SIGTERM")
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("running"), 30_000))])
    expect(code, output).not.toBe("running")
    if (script === "sandbox") expect(code).toBe(0)
    expect(everything.filter((pid) => existsSync(`/proc/${pid}`)).map(cmdline)).toEqual([])
    expect(existsSync(botFolder)).toBe(false)
  }, 150_000)
})

describe("every npm script answers --help with its usage and exit 0", () => {
  it("sandbox, demo, link, bench, stand-ins, forget-person, backup, consents", () => {
    // Each through npm as a user runs it (the bundling step of some included), one after the other: those steps
    // rebuild dist/. HOME of its own: npm's cache and logs are not this test's.
    const env = { PATH: process.env.PATH ?? "", HOME: makeTempDir("npm-home") }
    const scripts = ["sandbox", "demo", "link", "bench", "stand-ins", "forget-person", "backup", "consents"]
    const answers = scripts.map((script) => {
      const run = spawnSync("npm", ["run", "--silent", script, "--", "--help"], {
        cwd: root,
        env,
        encoding: "utf8",
        timeout: 60_000
      })
      return { script, code: run.status, usage: run.stdout.split("\n")[0], stderr: run.stderr }
    })
    expect(answers).toEqual(scripts.map((script) => ({
      script,
      code: 0,
      // stand-ins' help has no "usage:" before it (test/e2e/standIns.test.ts).
      usage: expect.stringMatching(new RegExp(`^(usage: )?npm run ${script}( |$)`)),
      stderr: ""
    })))
  }, 150_000)
})
