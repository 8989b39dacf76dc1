/**
 * The benchmark's probe in the bot's process (`node --import scripts/bench-probe.mjs`, the counted run only): what
 * the work costs, counted. SQLite statements and transactions (better-sqlite3's calls), HTTP requests by origin
 * (undici's diagnostics channel), collections and the bytes allocated between them (v8.GCProfiler), and, when the
 * bot runs with LEADBOT_COUNT_RUNTIME=1, Effect's fibers and operations (src/metrics/runtimeCounters.ts).
 * On SIGUSR2 it writes a snapshot of the counts since start to BENCH_PROBE_OUT (a new file, renamed into place).
 */
import diagnostics from "node:diagnostics_channel"
import { renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import v8 from "node:v8"

const out = process.env.BENCH_PROBE_OUT
if (!out) throw new Error("bench-probe: BENCH_PROBE_OUT is not set")

const sql = { statements: 0, transactions: 0 }
/** Statements by their SQL's first 90 characters: which ones a tap makes. */
const bySource = {}
const requests = {}
const gc = { minor: 0, major: 0, ms: 0, allocatedBytes: 0 }

// The bot's own better-sqlite3 (the bundle loads it from the project's node_modules: the require cache is shared).
try {
  const Db = createRequire(new URL("../package.json", import.meta.url))("better-sqlite3")
  const prepare = Db.prototype.prepare
  let patched = false
  Db.prototype.prepare = function(source, ...rest) {
    const statement = prepare.call(this, source, ...rest)
    if (!patched) {
      patched = true
      const proto = Object.getPrototypeOf(statement)
      for (const method of ["run", "get", "all", "iterate"]) {
        const original = proto[method]
        proto[method] = function(...args) {
          const head = this.source.trimStart().slice(0, 9).toUpperCase()
          if (/^(BEGIN|SAVEPOINT)/.test(head)) sql.transactions++
          // A transaction's end is counted with its start.
          else if (!/^(COMMIT|RELEASE|ROLLBACK)/.test(head)) {
            sql.statements++
            const key = this.source.replace(/\s+/g, " ").trim().slice(0, 90)
            bySource[key] = (bySource[key] ?? 0) + 1
          }
          return original.apply(this, args)
        }
      }
    }
    return statement
  }
} catch {
  // a bot without better-sqlite3 (the floor, the peer): no statements to count
}

diagnostics.subscribe("undici:request:create", ({ request }) => {
  requests[request.origin] = (requests[request.origin] ?? 0) + 1
})

// Bytes allocated: what the heap grew by between collections, plus its growth since the last one.
let profiler = new v8.GCProfiler()
profiler.start()
let usedAfterLast = v8.getHeapStatistics().used_heap_size
const collect = () => {
  const { statistics } = profiler.stop()
  for (const entry of statistics) {
    const before = entry.beforeGC.heapStatistics.usedHeapSize
    gc.allocatedBytes += Math.max(0, before - usedAfterLast)
    usedAfterLast = entry.afterGC.heapStatistics.usedHeapSize
    if (entry.gcType === "Scavenge" || entry.gcType === "MinorMarkSweep") gc.minor++
    else if (entry.gcType === "MarkSweepCompact") gc.major++
    gc.ms += entry.cost / 1000
  }
  profiler = new v8.GCProfiler()
  profiler.start()
}

process.on("SIGUSR2", () => {
  collect()
  const used = v8.getHeapStatistics().used_heap_size
  const runtime = globalThis[Symbol.for("leadbot.runtimeCounts")]
  const snapshot = {
    sql,
    bySource: { ...bySource },
    requests,
    gc: { ...gc, allocatedBytes: gc.allocatedBytes + Math.max(0, used - usedAfterLast) },
    effect: runtime === undefined ? undefined : { ...runtime },
    cpuMicros: process.cpuUsage()
  }
  writeFileSync(`${out}.tmp`, JSON.stringify(snapshot))
  renameSync(`${out}.tmp`, out)
})
