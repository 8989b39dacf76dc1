import { join } from "node:path"

import { CrmSim } from "./CrmSim.js"
import { type BotProcess, spawnBot } from "./spawnBot.js"
import { TelegramSim } from "./TelegramSim.js"
import { makeTempDir, removeTempDir } from "./tempDirs.js"

/** The stand-ins and the real bot (its own process) wired together: what the demo and the sandbox run. */
export interface World {
  readonly telegram: TelegramSim
  readonly crm: CrmSim
  /** The bot's process now (a restart starts another). */
  readonly bot: BotProcess
  /** The bot's lead store (its DATA_DIR is ./data in its own working folder). */
  readonly storeFile: string
  /** Stops the bot (SIGTERM) and starts it again on the same store, once it polls again. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

/** The environment that points the bot at the stand-ins: the only difference from production. */
export const botEnv = (telegram: TelegramSim, crm: CrmSim): Record<string, string> => ({
  BOT_TOKEN: telegram.token,
  ADMIN_CHAT_ID: String(telegram.adminChatId),
  TELEGRAM_API_ROOT: telegram.apiRoot,
  CRM_WEBHOOK_URL_AGENCY: crm.webhookUrl("agency"),
  CRM_WEBHOOK_URL_CG: crm.webhookUrl("cg"),
  CRM_WEBHOOK_URL_EXPRESS: crm.webhookUrl("express"),
  // Any free port on the loopback for /healthz, /readyz and /metrics: several bots run at once in tests.
  PORT: "0",
  HOST: "127.0.0.1"
})

export const startWorld = async (
  options: { env?: Record<string, string>; entry?: "source" | "bundle" } = {}
): Promise<World> => {
  const telegram = await TelegramSim.start()
  const crm = await CrmSim.start()
  const workDir = makeTempDir("world")
  const launch = () =>
    spawnBot({ ...botEnv(telegram, crm), LOG_LEVEL: "warn", ...options.env }, workDir, options.entry ?? "bundle")
  let bot = launch()
  const stopBot = async () => {
    bot.child.kill("SIGTERM")
    const timer = setTimeout(() => bot.child.kill("SIGKILL"), 15_000)
    await bot.exited
    clearTimeout(timer)
  }
  const stop = async () => {
    await stopBot()
    await Promise.all([telegram.close(), crm.close()])
    removeTempDir(workDir)
  }
  /** Until the bot polls (after `since` getUpdates calls); fails when it exits first. */
  const polling = async (since: number) => {
    await telegram.waitFor(
      "the bot to start polling",
      () => telegram.calls.filter((c) => c.method === "getUpdates").length > since || bot.child.exitCode !== null,
      30_000
    )
    if (bot.child.exitCode !== null) throw new Error(`the bot did not start: ${bot.output().stderr.trim()}`)
  }
  const polls = () => telegram.calls.filter((c) => c.method === "getUpdates").length
  try {
    await polling(0)
  } catch (error) {
    await stop()
    throw error
  }
  const restart = async () => {
    await stopBot()
    const before = polls()
    bot = launch()
    await polling(before)
  }
  return {
    telegram,
    crm,
    get bot() {
      return bot
    },
    storeFile: join(workDir, "data", "leads.sqlite"),
    restart,
    stop
  }
}
