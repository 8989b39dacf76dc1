import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

export interface BotProcess {
  readonly child: ChildProcess
  readonly output: () => { stdout: string; stderr: string }
  readonly exited: Promise<number | null>
}

/** `src/main.ts` as its own process, in an empty directory (so no developer's `.env` is read). */
export const spawnBot = (env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), "leadbot-"))): BotProcess => {
  const child = spawn(join(root, "node_modules/.bin/tsx"), [join(root, "src/main.ts")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (d) => (stdout += d))
  child.stderr!.on("data", (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => ({ stdout, stderr }) }
}
