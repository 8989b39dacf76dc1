import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "vitest"

const src = fileURLToPath(new URL("../../src", import.meta.url))

const sourceFiles = (): Array<string> =>
  readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()

/**
 * The files of ours a file imports: `import … from`, `import type … from`, `export … from`, a bare `import "…"`, and
 * a dynamic `import("…")` all count (relative paths only: packages are not files of ours). `./x.js` is `./x.ts`.
 */
const importsOf = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/\b(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].flatMap(([, path]) => {
    const target = resolve(dirname(file), path!).replace(/\.js$/, ".ts")
    return existsSync(target) ? [target] : []
  })

/** The folder under src/ a file belongs to ("." for src/ itself). */
const folderOf = (file: string) => relative(src, file).split("/").slice(0, -1)[0] ?? "."

/** Which files each file imports. */
const fileImports = (): Map<string, Set<string>> =>
  new Map(sourceFiles().map((file) => [relative(src, file), new Set(importsOf(file).map((t) => relative(src, t)))]))

/** Which folders each folder imports. */
const folderImports = (): Map<string, Set<string>> => {
  const graph = new Map<string, Set<string>>()
  for (const file of sourceFiles()) {
    const from = folderOf(file)
    const targets = graph.get(from) ?? new Set<string>()
    graph.set(from, targets)
    for (const target of importsOf(file)) if (folderOf(target) !== from) targets.add(folderOf(target))
  }
  return graph
}

/** A path that leads from `start` back to it, or undefined. */
const cycleFrom = (graph: Map<string, Set<string>>, start: string): Array<string> | undefined => {
  const seen = new Set<string>()
  const visit = (node: string, path: Array<string>): Array<string> | undefined => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return [...path, next]
      if (!seen.has(next)) {
        seen.add(next)
        const found = visit(next, [...path, next])
        if (found) return found
      }
    }
    return undefined
  }
  return visit(start, [start])
}

/** Every circle, one line each (a circle found from each of its members is listed once). */
const circles = (graph: Map<string, Set<string>>): Array<string> => {
  const found = new Map<string, string>()
  for (const node of graph.keys()) {
    const cycle = cycleFrom(graph, node)
    if (cycle) found.set([...new Set(cycle)].sort().join(" "), cycle.join(" → "))
  }
  return [...found.values()]
}

describe("src/ depends one way", () => {
  it("no folder imports a folder that imports it back, directly or through others", () => {
    const graph = folderImports()
    expect(graph.size).toBeGreaterThan(5)
    expect(circles(graph)).toEqual([])
  })

  it("no file imports a file that imports it back, directly or through others (types and import() included)", () => {
    const graph = fileImports()
    expect(graph.size).toBeGreaterThan(50)
    // The reading of imports must see each kind, or a circle through it would pass unseen.
    expect(graph.get("store/Stores.ts")).toContain("store/DatabaseLive.ts")
    expect(graph.get("store/DatabaseLive.ts")).toContain("store/Opener.ts")
    expect(graph.get("store/DatabaseLive.ts")).toContain("store/sqlite/Database.ts")
    expect(circles(graph)).toEqual([])
  })
})
