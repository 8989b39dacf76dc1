import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const made = new Set<string>()

/** A fresh folder under the system's temporary folder, remembered so that it can be removed. */
export const makeTempDir = (purpose: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `leadbot-${purpose}-`))
  made.add(dir)
  return dir
}

export const removeTempDir = (dir: string): void => {
  rmSync(dir, { recursive: true, force: true })
  made.delete(dir)
}

/** Removes every folder made here and not removed yet (a test file's end, a script's exit). */
export const removeTempDirs = (): void => {
  for (const dir of made) removeTempDir(dir)
}
