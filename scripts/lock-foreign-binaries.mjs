// This workplace's npm mirror has no native binaries for other platforms (darwin, win32, musl, …).
// npm then leaves them out of package-lock.json, and `npm ci` refuses that lock as out of sync.
// This adds each missing optional platform package back as an os/cpu-gated optional entry, so `npm ci`
// accepts the lock and skips them on this platform. Run it after any `npm install` that changes the lock.
import { readFileSync, writeFileSync } from "node:fs"

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"))
const packages = lock.packages
const platform = (name) => {
  const os = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "openharmony", "sunos", "netbsd", "aix"]
    .find((o) => name.includes(`-${o}-`))
  const cpu = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x", "mips64el"].find((c) =>
    new RegExp(`-${c}(-|$)`).test(name)
  )
  const libc = name.endsWith("-musl") || name.includes("-musleabihf")
    ? ["musl"]
    : name.includes("linux") && /-gnu/.test(name)
    ? ["glibc"]
    : undefined
  return { os, cpu, libc }
}
let added = 0
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === "" ? "" : `${path}/`
    const target = `${base}node_modules/${dep}`.replace(/^\//, "")
    if (packages[target] || packages[`node_modules/${dep}`]) continue
    const { os, cpu, libc } = platform(dep)
    if (!os || !cpu) continue
    packages[`node_modules/${dep}`] = {
      version: version.replace(/^[\^~]/, ""),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc } : {})
    }
    added++
  }
}
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n")
console.log(`added ${added} foreign-platform optional entries`)
