import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../scripts/test-postgres.sh", import.meta.url))

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/leadbot_test */
  readonly url: string
  /** Stops the server at once, as a crash would (connections cut, nothing flushed politely). */
  readonly pause: () => void
  /** Starts it again on the same port and data. */
  readonly resume: () => void
  /** Stops it and removes its folder. */
  readonly stop: () => void
}

/** A PostgreSQL server of a test's own (scripts/test-postgres.sh), for what the shared one must not go through. */
export const startPostgres = (): PostgresServer => {
  const printed = execFileSync("bash", [script], { encoding: "utf8" })
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(printed)?.[1] ?? ""
  const dir = field("dir")
  const run = (command: string) => execFileSync("bash", [script, command, dir], { stdio: "ignore" })
  return { url: field("url"), pause: () => run("pause"), resume: () => run("resume"), stop: () => run("stop") }
}
