#!/usr/bin/env node
// The top entries of V8 CPU profiles (`node --cpu-prof`), by self time: what BENCHMARKS.md's profile tables show.
//   node scripts/profile-top.mjs DIR_OR_FILE [--top 15] [--by function|package]
// Several profiles (a directory) are summed. "package" groups by the npm package (or node's own internals).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { SourceMap } from "node:module"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "15" },
    by: { type: "string", default: "function" },
    // Only the busiest stretch of this many ms (a burst, without start-up): where the samples are densest.
    "busiest-ms": { type: "string" },
    // Where the bundle's source maps are, when the profiled bundle has been rebuilt since (a "before" profile):
    // folders with a build of the same commit, searched in order (a chunk's name is a hash of its content).
    maps: { type: "string", multiple: true }
  }
})
if (positionals.length === 0) {
  console.error("usage: node scripts/profile-top.mjs DIR_OR_FILE [--top N] [--by function|package]")
  process.exit(2)
}
const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(p, f))
    : [p]
)

// The bundle is one file: its source map tells which source (and package) a line of it came from.
const maps = new Map()
const sourceMapOf = (url) => {
  if (!maps.has(url)) {
    const file = url.startsWith("file:") ? fileURLToPath(url) : url
    const mapFile = (values.maps ?? []).map((dir) => join(dir, `${basename(file)}.map`)).find(existsSync) ??
      `${file}.map`
    maps.set(url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : null)
  }
  return maps.get(url)
}
const original = (f) => {
  const map = f.url.endsWith(".mjs") ? sourceMapOf(f.url) : null
  const entry = map?.findEntry(f.lineNumber, f.columnNumber)
  if (!entry?.originalSource) return { url: f.url, line: f.lineNumber + 1, name: f.functionName }
  return { url: entry.originalSource, line: entry.originalLine + 1, name: f.functionName || entry.name || "" }
}

const packageOf = (url) => {
  if (url === "") return "(V8/native)"
  if (url.startsWith("node:")) return "node (" + url.slice(5).split("/")[0] + ")"
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]
  if (/(^|\/)src\//.test(url)) return "the bot's own code (src/)"
  return url.split("/").slice(-2).join("/")
}

const selfMs = new Map()
let totalMs = 0
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8"))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const counts = new Map()
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id))
  let from = 0
  let to = profile.samples.length
  if (values["busiest-ms"] !== undefined) {
    // Sample times (µs from the start), then the window of the given length with the most busy samples.
    const times = []
    let t = 0
    for (const delta of profile.timeDeltas) times.push(t += delta)
    const width = Number(values["busiest-ms"]) * 1000
    let best = 0
    let busy = 0
    let start = 0
    for (let end = 0; end < times.length; end++) {
      if (!idle.has(profile.samples[end])) busy++
      while (times[end] - times[start] > width) if (!idle.has(profile.samples[start++])) busy--
      if (busy > best) [best, from, to] = [busy, start, end + 1]
    }
  }
  for (const id of profile.samples.slice(from, to)) counts.set(id, (counts.get(id) ?? 0) + 1)
  const interval = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length)
  for (const [id, count] of counts) {
    const { callFrame } = byId.get(id)
    if (callFrame.functionName === "(idle)") continue
    const f = original(callFrame)
    const where = f.url.includes("node_modules/")
      ? f.url.replace(/^.*node_modules\//, "")
      : f.url.replace(/^.*\/src\//, "src/").replace(/^file:\/\//, "")
    const key = values.by === "package"
      ? (f.name.startsWith("(") ? f.name : packageOf(f.url))
      : `${f.name || "(anonymous)"} ${f.url ? `${where}:${f.line}` : ""}`
    const ms = count * interval
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms)
    totalMs += ms
  }
}
const rows = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))
console.log(`${files.length} profile(s), ${Math.round(totalMs)} ms busy (idle excluded)`)
console.log("| self ms | share | " + (values.by === "package" ? "package" : "function") + " |\n|---:|---:|---|")
for (const [key, ms] of rows) console.log(`| ${Math.round(ms)} | ${(100 * ms / totalMs).toFixed(1)} % | ${key} |`)
