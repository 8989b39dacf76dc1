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
  /** What every bot process of this world printed, both streams, in order: a restart keeps the earlier lines. */
  readonly log: () => string
  /** Why the bot is not running, in its own one line (it refused to start), or undefined while it runs. */
  readonly stopped: () => string | undefined
  /** The bot's lead store (its DATA_DIR is ./data in its own working folder). */
  readonly storeFile: string
  /**
   * Stops the bot (SIGTERM) and starts it again on the same store, once it polls again; fails with its line
   * (`BotDidNotStart`) when it refuses to start. `envChanges` go over its environment first (undefined removes a
   * variable) and stay for later restarts: what the bot reads only at start (a brand's CRM) changes this way.
   */
  readonly restart: (envChanges?: Readonly<Record<string, string | undefined>>) => Promise<void>
  readonly stop: () => Promise<void>
}

/** The bot exited before it polled: its own line says why (it ends what it printed, on stderr). */
export class BotDidNotStart extends Error {
  constructor(readonly line: string) {
    super(`the bot did not start: ${line}`)
  }
}

/** The line a bot that refused to start ends with (`Cannot start: …`), without its prefix. */
const refusalOf = (bot: BotProcess): string => {
  const lines = bot.output().stderr.split("\n").filter((line) => line.trim() !== "")
  return (lines.at(-1) ?? `it exited with code ${bot.child.exitCode}`).replace(/^Cannot start: /, "")
}

/** The environment that points the bot at the stand-ins: the only difference from production. */
export const botEnv = (
  telegram: TelegramSim,
  crm: CrmSim,
  brands: ReadonlyArray<string> = ["agency", "cg", "express"]
): Record<string, string> => ({
  BOT_TOKEN: telegram.token,
  ADMIN_CHAT_ID: String(telegram.adminChatId),
  TELEGRAM_API_ROOT: telegram.apiRoot,
  ...Object.fromEntries(brands.map((brand) => [`CRM_WEBHOOK_URL_${brand.toUpperCase()}`, crm.webhookUrl(brand)])),
  // Any free port on the loopback for /healthz, /readyz and /metrics: several bots run at once in tests.
  PORT: "0",
  HOST: "127.0.0.1"
})

export interface WorldOptions {
  /** Settings for the bot, over those that point it at the stand-ins. */
  readonly env?: Record<string, string>
  readonly entry?: "source" | "bundle"
  /** The admin chat's id (ADMIN_CHAT_ID), -100777 unless given. */
  readonly adminChatId?: number
  /** Other managers' chats the bot is an administrator of (ADMIN_CHAT_ID_<BRAND>). */
  readonly managersChats?: ReadonlyArray<number>
  /** The brands of the bot's locales.json: each gets a CRM webhook of the stand-in. */
  readonly brands?: ReadonlyArray<string>
}

export const startWorld = async (options: WorldOptions = {}): Promise<World> => {
  const telegram = await TelegramSim.start(
    options.adminChatId === undefined ? {} : { adminChatId: options.adminChatId }
  )
  for (const chatId of options.managersChats ?? []) telegram.addManagersChat(chatId)
  const crm = await CrmSim.start()
  const workDir = makeTempDir("world")
  let env: Record<string, string> = { ...botEnv(telegram, crm, options.brands), LOG_LEVEL: "warn", ...options.env }
  const launch = () => spawnBot(env, workDir, options.entry ?? "bundle")
  let bot = launch()
  // The output of the bots that ran before this one (a restart starts another process).
  let earlier = ""
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
  /** Until the bot polls (after `since` getUpdates calls); fails with its line when it exits first. */
  const polling = async (since: number) => {
    await telegram.waitFor(
      "the bot to start polling",
      () => telegram.calls.filter((c) => c.method === "getUpdates").length > since || bot.child.exitCode !== null,
      30_000
    )
    if (bot.child.exitCode !== null) throw new BotDidNotStart(refusalOf(bot))
  }
  const polls = () => telegram.calls.filter((c) => c.method === "getUpdates").length
  try {
    await polling(0)
  } catch (error) {
    await stop()
    throw error
  }
  const restart = async (envChanges: Readonly<Record<string, string | undefined>> = {}) => {
    await stopBot()
    earlier += bot.output().all
    env = Object.fromEntries(
      Object.entries({ ...env, ...envChanges }).filter((entry): entry is [string, string] => entry[1] !== undefined)
    )
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
    log: () => earlier + bot.output().all,
    stopped: () => (bot.child.exitCode === null && bot.child.signalCode === null ? undefined : refusalOf(bot)),
    storeFile: join(workDir, "data", "leads.sqlite"),
    restart,
    stop
  }
}
