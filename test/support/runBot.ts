import { ConfigProvider, Effect, Fiber, Layer, Logger } from "effect"

import { CrmSim } from "../../sim/CrmSim.js"
import { TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir, removeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { AppLive } from "../../src/app.js"

export interface Harness {
  readonly telegram: TelegramSim
  readonly crm: CrmSim
  readonly dataDir: string
  /** Every log line of the bot (logfmt), kept for assertions instead of printed; TEST_LOG_LEVEL prints them too. */
  readonly logs: Array<string>
  /** Stops the bot (as SIGTERM would) and starts it again on the same store and stand-ins, with `env` changed. */
  readonly restart: (env?: Record<string, string>) => Promise<void>
  readonly stop: () => Promise<void>
}

/**
 * The real bot (same Layers as `npm start`) against local stand-ins; only the environment differs. `prepare` sets
 * the stand-ins up before the bot starts (another managers' chat, say).
 */
export const startHarness = async (
  env: Record<string, string | undefined> = {},
  prepare: (telegram: TelegramSim) => void = () => {}
): Promise<Harness> => {
  const telegram = await TelegramSim.start()
  prepare(telegram)
  const crm = await CrmSim.start()
  // A variable given as undefined is not set (a brand on amoCRM has no webhook).
  const config = new Map<string, string>(
    Object.entries({
      ...botEnv(telegram, crm),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "Info",
      DATA_DIR: makeTempDir("data"),
      // The CRM does what a test scripts, and nothing behind its back: reconciliation (which offers a fallback to the
      // CRM again once it is back) is on only where it is the test's subject (CRM_RECONCILE_HOURS: undefined).
      CRM_RECONCILE_HOURS: "0",
      ...env
    }).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const]))
  )
  const logs: Array<string> = []
  const keepLogs = Logger.replace(
    Logger.defaultLogger,
    Logger.map(Logger.logfmtLogger, (line) => {
      logs.push(line)
      if (process.env.TEST_LOG_LEVEL) console.log(line)
    })
  )
  const launch = async () => {
    // Up once it polls, or (webhook mode) once the webhook is set.
    const intakeCalls = () =>
      telegram.calls.filter((c) => c.method === "getUpdates" || c.method === "setWebhook").length
    const before = intakeCalls()
    const fiber = Effect.runFork(
      Layer.launch(AppLive).pipe(
        // Names split at "_", as the environment's are.
        Effect.withConfigProvider(ConfigProvider.fromMap(config, { pathDelim: "_" })),
        Effect.provide(keepLogs)
      )
    )
    await telegram.waitFor("the bot to start polling (or set its webhook)", () => intakeCalls() > before, 10_000)
    return fiber
  }
  let fiber = await launch()
  return {
    telegram,
    crm,
    dataDir: config.get("DATA_DIR")!,
    logs,
    restart: async (env = {}) => {
      await Effect.runPromise(Fiber.interrupt(fiber))
      for (const [name, value] of Object.entries(env)) config.set(name, value)
      fiber = await launch()
    },
    stop: async () => {
      await Effect.runPromise(Fiber.interrupt(fiber))
      await Promise.all([telegram.close(), crm.close()])
      removeTempDir(config.get("DATA_DIR")!)
    }
  }
}
