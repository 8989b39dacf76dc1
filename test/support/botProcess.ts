import { type BotProcess, spawnBot } from "../../sim/spawnBot.js"
import { TelegramSim } from "../../sim/TelegramSim.js"

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

/**
 * The bot as a process, started on `localesPath` against a Telegram stand-in: its exit code, its error lines, and
 * whether it ever polled (a refusal comes before any `getUpdates`). The stand-in is closed before this returns.
 */
export const startOnLocales = async (localesPath: string) => {
  const telegram = await TelegramSim.start()
  try {
    const bot = spawnBot({
      BOT_TOKEN: telegram.token,
      ADMIN_CHAT_ID: String(telegram.adminChatId),
      TELEGRAM_API_ROOT: telegram.apiRoot,
      LOCALES_PATH: localesPath
    })
    const exitCode = await exitWithin(bot, 30_000)
    return { exitCode, lines: errorLines(bot), polled: telegram.calls.some((c) => c.method === "getUpdates") }
  } finally {
    await telegram.close()
  }
}
