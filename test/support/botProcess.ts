import type { BotProcess } from "../../sim/spawnBot.js"

/** The exit code, or "still running" (then killed) after `ms`: a hang fails the test instead of timing it out. */
export const exitWithin = async (bot: BotProcess, ms: number): Promise<number | null | "still running"> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)))
  const result = await Promise.race([bot.exited, late])
  clearTimeout(timer)
  if (result === "still running") bot.child.kill("SIGKILL")
  return result
}

/** Its stderr, less the warnings about brands without a CRM webhook. */
export const errorLines = (bot: BotProcess): Array<string> =>
  bot.output().stderr.trim().split("\n").filter((l) => l !== "" && !l.includes("WARN"))
