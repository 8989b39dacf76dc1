import { spawn } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"

import { makeTempDir } from "../../sim/tempDirs.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

/**
 * One of scripts/ as a process, as its npm script runs it (node with tsx), in a fresh folder (no .env) with only
 * PATH and `env`; killed after 30 s. Its exit code and trimmed output.
 */
export const runScript = async (script: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const loader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href
  const child = spawn(process.execPath, ["--import", loader, `${root}scripts/${script}`, ...args], {
    cwd: makeTempDir("script-cwd"),
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let [stdout, stderr] = ["", ""]
  child.stdout!.on("data", (d) => (stdout += d))
  child.stderr!.on("data", (d) => (stderr += d))
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  clearTimeout(timer)
  return { code, stdout: stdout.trim(), stderr: stderr.trim() }
}
