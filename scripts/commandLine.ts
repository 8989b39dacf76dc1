import { parseArgs, type ParseArgsConfig } from "node:util"

type Config = Omit<ParseArgsConfig, "args">

/**
 * A script's command line, read the same way in every script (node:util's parseArgs, strict). `--help` or `-h`
 * anywhere before a `--` prints `help` (its first line the usage: `usage: npm run <script> …`) and exits 0 before
 * anything starts; an option the script does not know, or one without its value, is refused on stderr in one line
 * naming the script, then the usage line, exit 2 (a wrong use, as for any command), never a stack trace.
 */
export const commandLine = <T extends Config>(script: string, help: string, config: T) => {
  const args = process.argv.slice(2)
  const end = args.indexOf("--")
  if ((end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h")) {
    console.log(help)
    process.exit(0)
  }
  try {
    return parseArgs<T>({ ...config, args })
  } catch (error) {
    return refuseUse(script, help, error instanceof Error ? error.message : String(error))
  }
}

/** A wrong use of the script: `<script>: <why>`, the usage line and where the rest is, on stderr; exit 2. */
export function refuseUse(script: string, help: string, why: string): never {
  console.error(`${script}: ${why}\n${help.split("\n")[0]} (--help for more)`)
  return process.exit(2)
}
