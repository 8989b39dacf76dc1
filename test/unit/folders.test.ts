import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

import { describe, expect, it } from "vitest"

const src = fileURLToPath(new URL("../../src", import.meta.url))

/** The folder under src/ a file belongs to ("." for src/ itself). */
const folderOf = (file: string) => relative(src, file).split("/").slice(0, -1)[0] ?? "."

/** Which folders each folder imports (relative imports only: packages are not folders of ours). */
const folderImports = (): Map<string, Set<string>> => {
  const graph = new Map<string, Set<string>>()
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue
    const file = join(entry.parentPath, entry.name)
    const from = folderOf(file)
    const targets = graph.get(from) ?? new Set<string>()
    graph.set(from, targets)
    for (const [, path] of readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
      const to = folderOf(resolve(dirname(file), path!))
      if (to !== from) targets.add(to)
    }
  }
  return graph
}

/** A path of folders that leads from `start` back to it, or undefined. */
const cycleFrom = (graph: Map<string, Set<string>>, start: string): Array<string> | undefined => {
  const visit = (folder: string, path: Array<string>): Array<string> | undefined => {
    for (const next of graph.get(folder) ?? []) {
      if (next === start) return [...path, next]
      if (!path.includes(next)) {
        const found = visit(next, [...path, next])
        if (found) return found
      }
    }
    return undefined
  }
  return visit(start, [start])
}

describe("src/ folders depend one way", () => {
  it("no folder imports a folder that imports it back, directly or through others", () => {
    const graph = folderImports()
    expect(graph.size).toBeGreaterThan(5)
    const cycles = [...graph.keys()].flatMap((folder) => {
      const cycle = cycleFrom(graph, folder)
      return cycle ? [cycle.join(" → ")] : []
    })
    expect(cycles).toEqual([])
  })
})
