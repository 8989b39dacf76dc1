import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath, pathToFileURL } from "node:url"

import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

describe("npm run sandbox, as a command", () => {
  it("a busy --port → exit 1 with one line naming --port; no bot is started", async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const loader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href
      const sandbox = spawn(
        process.execPath,
        ["--import", loader, `${root}scripts/sandbox.ts`, "--port", String(port)],
        {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"]
        }
      )
      let stderr = ""
      sandbox.stderr!.on("data", (d) => (stderr += d))
      const timer = setTimeout(() => sandbox.kill("SIGKILL"), 15_000)
      const code = await new Promise<number | null>((resolve) => sandbox.on("exit", resolve))
      clearTimeout(timer)
      expect(code).toBe(1)
      const next = port + 1
      expect(stderr.trim().split("\n")).toEqual([
        `Cannot start the sandbox: --port ${port} is in use (another sandbox?): ` +
        `choose another, e.g. npm run sandbox -- --port ${next}`
      ])
    } finally {
      busy.close()
    }
  })
})
