import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

export interface BotProcess {
  readonly child: ChildProcess
  readonly output: () => { stdout: string; stderr: string }
  readonly exited: Promise<number | null>
}

/** `src/main.ts` as its own process, in an empty directory (so no developer's `.env` is read; ./data is its own). */
export const spawnBot = (env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), "leadbot-"))): BotProcess => {
  // node itself (not the tsx CLI, which runs a child): a SIGKILL must hit the bot, not a wrapper.
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href
  const child = spawn(process.execPath, ["--import", loader, join(root, "src/main.ts")], {
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
