// Bundles the bot into dist/app/main.mjs, and the scripts operators run (forget-person, backup, consents) beside it,
// sharing its chunks: tree-shaken, no TypeScript to compile at start-up, no tsx needed (so they run in the image too).
// Only the native addons (better-sqlite3, @napi-rs/canvas) stay in node_modules (scripts/runtime-modules.mjs).
// dist/app/ sits two levels below the root, like src/profiles/, so the default locales path is the same.
//
// `--if-stale` (what `npm start` runs first): build only when the bundle is older than what goes into it, so a
// start does not pay for esbuild every time.
import { readdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"

import { build } from "esbuild"

const OUTFILE = "dist/app/main.mjs"
/** What an operator runs besides the bot: in the bundle, so that the image (with no tsx) runs them as well. */
const OPERATOR_SCRIPTS = [
  { in: "scripts/forget-person.ts", out: "forget-person" },
  { in: "scripts/backup.ts", out: "backup" },
  { in: "scripts/consents.ts", out: "consents" }
]

const newestInput = () => {
  // scripts/commandLine.ts: the operator scripts' --help and usage.
  const files = [
    "package-lock.json",
    "scripts/build.mjs",
    "scripts/commandLine.ts",
    ...OPERATOR_SCRIPTS.map((s) => s.in)
  ]
  for (const entry of readdirSync("src", { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath ?? entry.path, entry.name))
  }
  return Math.max(...files.map((file) => statSync(file).mtimeMs))
}

const bundleTime = () => {
  try {
    return statSync(OUTFILE).mtimeMs
  } catch {
    return -Infinity
  }
}

if (process.argv.includes("--if-stale") && bundleTime() >= newestInput()) process.exit(0)

// grammY loads node-fetch at start, but the bot gives grammY its own fetch (on undici, src/http/undiciFetch.ts):
// leaving node-fetch (with whatwg-url and its tables) out of the bundle saves memory. Called anyway, it says so.
const withoutNodeFetch = {
  name: "without-node-fetch",
  setup(build) {
    build.onResolve({ filter: /^node-fetch$/ }, () => ({ path: "node-fetch", namespace: "left-out" }))
    build.onLoad({ filter: /.*/, namespace: "left-out" }, () => ({
      contents: "export default () => { throw new Error('node-fetch is left out of the bundle: pass grammY a fetch') }",
      loader: "js"
    }))
  }
}

// The chunks' names carry a hash of their content: the old ones go.
rmSync("dist/app", { recursive: true, force: true })
await build({
  entryPoints: [{ in: "src/main.ts", out: "main" }, ...OPERATOR_SCRIPTS],
  outdir: "dist/app",
  entryNames: "[name]",
  outExtension: { ".js": ".mjs" },
  chunkNames: "[name]-[hash]",
  // The store's drivers are imported when chosen (src/store/DatabaseLive.ts): each lands in a chunk of its own.
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // Whitespace and syntax only: a smaller, ASCII-only source keeps the idle memory down; names stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  logLevel: "warning",
  // Native addons: better-sqlite3, and @napi-rs/canvas (Skia, for /stats' chart; loaded on the first /stats).
  external: ["better-sqlite3", "@napi-rs/canvas"],
  // jsonc-parser's default (UMD) build requires its parts at run time, which a bundle cannot resolve: its ES one.
  alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  plugins: [withoutNodeFetch],
  // Some bundled CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }
})
