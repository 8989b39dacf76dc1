// Copies into <dest>/node_modules what the bundle (dist/app) loads from node_modules at run time, and no more:
// better-sqlite3's JavaScript and its compiled addon (not its sources, nor the build's objects), and `bindings`
// (with its one dependency), which finds the addon; @napi-rs/canvas (/stats' chart) and the binary package npm
// installed for this platform. Everything else is in the bundle. The image's runtime stage
// is this folder; test/e2e/runtimeImage.test.ts runs the bundle on it alone.
//
//   node scripts/runtime-modules.mjs <dest>
import { cpSync, mkdirSync, readdirSync } from "node:fs"
import { join } from "node:path"

const dest = process.argv[2]
if (!dest) {
  console.error("usage: node scripts/runtime-modules.mjs <dest>")
  process.exit(2)
}
const modules = join(dest, "node_modules")
const copy = (path) => cpSync(join("node_modules", path), join(modules, path), { recursive: true })
mkdirSync(join(modules, "better-sqlite3/build/Release"), { recursive: true })
copy("better-sqlite3/package.json")
copy("better-sqlite3/lib")
copy("better-sqlite3/build/Release/better_sqlite3.node")
copy("bindings")
copy("file-uri-to-path")
copy("@napi-rs/canvas")
for (const name of readdirSync("node_modules/@napi-rs")) {
  if (name.startsWith("canvas-")) copy(`@napi-rs/${name}`)
}
