// The README's mock-Layer example, taken from README.md itself and run here: if the README's code stops working
// (or the README loses it), this fails. The block is written next to this file so that its relative imports
// resolve, imported (its `it.scoped` registers the test), and removed.
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
const heading = readme.indexOf("## Testing a fallback path with a mock Layer")
const block = heading < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(heading))?.[1]
if (block === undefined) throw new Error("README.md has no ```ts block under \"Testing a fallback path\"")
const file = fileURLToPath(new URL(`./readme-example-${process.pid}.generated.ts`, import.meta.url))
writeFileSync(file, block)
try {
  await import(file)
} finally {
  rmSync(file, { force: true })
}
