import { execFileSync } from "node:child_process"
import { cpSync, existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir, removeTempDirs } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { galliard } from "../support/people.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
afterAll(removeTempDirs)

/**
 * What the image's runtime stage holds (the Dockerfile copies the same): the bundle, the locales, package.json,
 * and the node_modules of scripts/runtime-modules.mjs; no tsx, no sources. No container runtime here, so the
 * same folder is run with node directly.
 */
const runtimeFolder = () => {
  const dir = makeTempDir("runtime")
  cpSync(join(root, "dist/app"), join(dir, "dist/app"), { recursive: true })
  cpSync(join(root, "locales"), join(dir, "locales"), { recursive: true })
  cpSync(join(root, "package.json"), join(dir, "package.json"))
  execFileSync(process.execPath, [join(root, "scripts/runtime-modules.mjs"), dir], { cwd: root })
  return dir
}

const run = (dir: string, script: string, args: Array<string>, env: Record<string, string>) => {
  try {
    const stdout = execFileSync(process.execPath, [join(dir, "dist/app", script), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      timeout: 30_000
    })
    return { code: 0, stdout: stdout.trim() }
  } catch (error) {
    const e = error as { status: number; stderr: string }
    return { code: e.status, stdout: String(e.stderr).trim() }
  }
}

describe("the image's runtime folder: the bundle with only the node_modules it needs", () => {
  beforeAll(() => {
    execFileSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root })
  }, 60_000)

  it(
    "holds better-sqlite3 (addon, JavaScript, bindings), @napi-rs/canvas: the bot, /stats' chart and the scripts run",
    async () => {
      const dir = runtimeFolder()
      expect(readdirSync(join(dir, "node_modules")).sort()).toEqual([
        "@napi-rs",
        "better-sqlite3",
        "bindings",
        "file-uri-to-path"
      ])
      expect(readdirSync(join(dir, "node_modules/@napi-rs"))).toContain("canvas")
      expect(existsSync(join(dir, "node_modules/better-sqlite3/deps"))).toBe(false)

      const telegram = await TelegramSim.start()
      const crm = await CrmSim.start()
      try {
        const dataDir = join(dir, "data")
        const env = { ...botEnv(telegram, crm), DATA_DIR: dataDir }
        const bot = spawnBot(env, dir, { script: join(dir, "dist/app/main.mjs") })
        telegram.sendText(galliard, "/start agency")
        await telegram.waitFor("the menu", () => telegram.botMessages(galliard.id)[0], 20_000)
        telegram.tap(galliard, "📈 Привлечь клиентов")
        await telegram.waitFor("the lead in the CRM", () => crm.accepted.length === 1, 10_000)
        // The chart is drawn by the native canvas the runtime folder holds.
        telegram.sendText({ id: 9001, first_name: "Анна" }, "/stats", telegram.adminChatId)
        const chart = await telegram.waitFor("the chart", () => telegram.admin.find((m) => m.photo), 20_000)
        expect(Buffer.from(chart.photo!).subarray(1, 4).toString()).toBe("PNG")

        // While the bot runs: a backup, then the person's data deleted.
        const backup = join(dir, "backup.sqlite")
        expect(run(dir, "backup.mjs", [backup], { DATA_DIR: dataDir })).toEqual({
          code: 0,
          stdout: `${join(dataDir, "leads.sqlite")} backed up to ${backup}`
        })
        expect(existsSync(backup)).toBe(true)
        const forgot = run(dir, "forget-person.mjs", [String(galliard.id)], env)
        expect(forgot.code).toBe(0)
        expect(forgot.stdout).toMatch(new RegExp(`deleted of ${galliard.id}: 1 leads, `))
        const log = run(dir, "consents.mjs", ["--csv"], { DATA_DIR: dataDir })
        expect(log).toEqual({ code: 0, stdout: "telegram_id,version,text_sha256,accepted_at,how,withdrawn_at" })

        bot.child.kill("SIGTERM")
        expect(await bot.exited).toBe(0)
      } finally {
        await Promise.all([telegram.close(), crm.close()])
      }
    },
    90_000
  )
})
