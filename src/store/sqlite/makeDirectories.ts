import { mkdirSync, statSync } from "node:fs"
import { parse, sep } from "node:path"

import { Effect } from "effect"

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir (sync or async) loops forever where a level can
 * never be made but its parent exists (any path under /proc): here each level is tried once, so it is bounded by
 * the path's depth. Fails with the reason as a line (ENOENT, EACCES, "… is not a folder").
 */
export const makeDirectories = (path: string): Effect.Effect<void, string> =>
  Effect.try({
    try: () => {
      const { root } = parse(path)
      let current = root
      for (const part of path.slice(root.length).split(sep).filter(Boolean)) {
        current = current === root ? `${root}${part}` : `${current}${sep}${part}`
        try {
          mkdirSync(current)
        } catch (error) {
          if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error
          if (!statSync(current).isDirectory()) throw new Error(`${current} is not a folder`)
        }
      }
    },
    catch: (error) => (error instanceof Error ? error.message : String(error))
  })
