import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

import { beforeAll, describe, expect, it } from "vitest"

import { npmStartNodeArgs } from "../../sim/spawnBot.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8")
/** Instructions with their continuation lines joined. */
const instructions = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) =>
  l !== "" && !l.startsWith("#")
)
const stages = instructions.filter((l) => l.startsWith("FROM "))

/** No container runtime here: the Dockerfile's paths and command are checked against a real build instead. */
describe("the Dockerfile", () => {
  beforeAll(() => {
    execFileSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root })
  }, 60_000)

  it("is multi-stage on node:24-bookworm-slim (a supported LTS line), runs as node, store on /data, /healthz", () => {
    expect(stages).toEqual(["FROM node:24-bookworm-slim AS build", "FROM node:24-bookworm-slim"])
    expect(instructions).toContain("USER node")
    expect(instructions).toContain("VOLUME [\"/data\"]")
    expect(instructions.find((l) => l.startsWith("HEALTHCHECK"))).toMatch(/\/healthz/)
    expect(instructions.find((l) => l.startsWith("ENV"))).toMatch(/DATA_DIR=\/data/)
    expect(instructions).toContain("RUN npm ci --no-audit --no-fund")
    // The runtime stage gets the node_modules the bundle loads, and no more (test/e2e/runtimeImage.test.ts).
    expect(instructions).toContain("RUN npm run build && node scripts/runtime-modules.mjs /app/runtime")
    expect(instructions).toContain("COPY --from=build /app/runtime/node_modules node_modules")
  })

  it("every path it copies exists (from the build context, or as the build stage makes it)", () => {
    const copies = instructions.filter((l) => l.startsWith("COPY "))
    expect(copies.length).toBeGreaterThan(4)
    for (const copy of copies) {
      const parts = copy.split(/\s+/).slice(1)
      const fromStage = parts[0]!.startsWith("--from=")
      const sources = parts.filter((p) => !p.startsWith("--")).slice(0, -1)
      for (const source of sources) {
        // The build stage's WORKDIR is /app, a copy of the context in which `npm ci` and `npm run build` ran;
        // /app/runtime is what scripts/runtime-modules.mjs makes there (checked above and run end to end).
        const path = fromStage ? source.replace(/^\/app\//, "") : source
        if (path.startsWith("runtime/")) continue
        expect(existsSync(join(root, path)), `${copy}: ${path}`).toBe(true)
      }
    }
  })

  it("the build stage has every file of scripts/ that the bundle's scripts import (they are built there)", () => {
    const copied = instructions.filter((l) => l.startsWith("COPY ") && !l.includes("--from="))
      .flatMap((l) => l.split(/\s+/).slice(1, -1))
    const build = readFileSync(join(root, "scripts/build.mjs"), "utf8")
    const entries = [...build.matchAll(/in: "(scripts\/[^"]+\.ts)"/g)].map((m) => m[1]!)
    expect(entries.length).toBeGreaterThan(1)
    const needed = new Set<string>()
    const visit = (file: string) => {
      if (needed.has(file)) return
      needed.add(file)
      for (const [, path] of readFileSync(join(root, file), "utf8").matchAll(/from "\.\/([^"]+)\.js"/g)) {
        visit(`scripts/${path}.ts`)
      }
    }
    entries.forEach(visit)
    expect([...needed].filter((file) => !copied.includes(file))).toEqual([])
  })

  it("runs the bundle as npm start does (node itself, the same flags)", () => {
    const cmd = JSON.parse(instructions.find((l) => l.startsWith("CMD "))!.slice(4)) as Array<string>
    expect(cmd[0]).toBe("node")
    expect(existsSync(join(root, cmd.at(-1)!))).toBe(true)
    expect(cmd.slice(1).map((arg) => (arg.endsWith(".mjs") ? join(root, arg) : arg))).toEqual(npmStartNodeArgs())
  })

  it("docker-compose.yml builds it and keeps the store on a volume", () => {
    const compose = readFileSync(join(root, "docker-compose.yml"), "utf8")
    expect(compose).toMatch(/^\s+build: \.$/m)
    expect(compose).toMatch(/^\s+- bot-data:\/data$/m)
    expect(compose).toMatch(/^\s+env_file: \.env$/m)
  })

  it("docker-compose.replicas.yml: PostgreSQL, two replicas on it, a proxy whose Caddyfile names them", () => {
    const compose = readFileSync(join(root, "docker-compose.replicas.yml"), "utf8")
    expect(compose).toMatch(/^\s+image: postgres:15$/m)
    expect(compose).toMatch(/^\s+DATABASE_URL: postgres:\/\/leadbot:leadbot@postgres:5432\/leadbot$/m)
    const replicas = [...compose.matchAll(/^ {2}(bot-\d+): \*bot$/gm)].map((m) => m[1]!)
    expect(replicas.length).toBeGreaterThanOrEqual(2)
    const caddyfile = /- \.\/(deploy\/Caddyfile):/.exec(compose)?.[1]
    expect(caddyfile).toBe("deploy/Caddyfile")
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(readFileSync(join(root, caddyfile!), "utf8"))?.[1]!.trim().split(
      /\s+/
    )
    expect(upstreams).toEqual(replicas.map((name) => `${name}:8080`))
  })

  it("the replicas' proxy starts only in webhook mode, and takes its name from BOT_DOMAIN", () => {
    const compose = readFileSync(join(root, "docker-compose.replicas.yml"), "utf8")
    const proxy = /^ {2}proxy:\n((?: {4}.*\n|\s*\n)+)/m.exec(compose)?.[1] ?? ""
    expect(proxy).toMatch(/^ {4}profiles: \["webhook"\]$/m)
    expect(proxy).toMatch(/^ {6}BOT_DOMAIN: /m)
    const caddyfile = readFileSync(join(root, "deploy/Caddyfile"), "utf8")
    expect(caddyfile).toMatch(/^\{\$BOT_DOMAIN\} \{$/m)
    expect(caddyfile).not.toMatch(/^bot\.example\.com/m)
  })
})
