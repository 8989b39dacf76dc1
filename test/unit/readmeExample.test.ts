// The docs' mock-Layer example, taken from docs/developers.md itself and run here: if the example's code stops working
// (or the page loses it), this fails. The block is written next to this file so that its relative imports
// resolve, imported (its `it.scoped` registers the test), and removed.
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const page = readFileSync(new URL("../../docs/developers.md", import.meta.url), "utf8")
const heading = page.indexOf("\n## Testing a fallback path with a mock Layer\n")
const block = heading < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(page.slice(heading))?.[1]
if (block === undefined) throw new Error("docs/developers.md has no ```ts block under \"Testing a fallback path\"")
const file = fileURLToPath(new URL(`./readme-example-${process.pid}.generated.ts`, import.meta.url))
writeFileSync(file, block)
try {
  await import(file)
} finally {
  rmSync(file, { force: true })
}
