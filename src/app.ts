import { NodeFileSystem, NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Logger } from "effect"
import { AdminChat } from "./admin/AdminChat.js"
import { AppConfig } from "./config/AppConfig.js"
import { CrmClientLive } from "./crm/CrmClientLive.js"
import { Delivery } from "./delivery/Delivery.js"
import { Funnel } from "./funnel/Funnel.js"
import { UserChat } from "./funnel/UserChat.js"
import { Profiles } from "./profiles/Profiles.js"
import { MemoryFollowUpState } from "./store/MemoryFollowUpState.js"
import { MemoryLeadStore } from "./store/MemoryLeadStore.js"
import { TelegramBotLive } from "./telegram/TelegramBot.js"
import { Polling } from "./updates/Polling.js"

/** The stores; the durable SQLite Layers replace these. */
export const StoresLive = Layer.merge(MemoryLeadStore, MemoryFollowUpState)

/** The ports, live: Telegram, the CRM over HTTP, the stores; config and locales first, so their errors come first. */
export const PortsLive = Layer.mergeAll(
  TelegramBotLive,
  CrmClientLive.pipe(Layer.provide(NodeHttpClient.layer)),
  StoresLive
).pipe(
  Layer.provideMerge(Profiles.Default.pipe(Layer.provide(NodeFileSystem.layer))),
  Layer.provideMerge(AppConfig.Default)
)

/** The bot: polling feeds the funnel, the funnel records leads, delivery reaches a human. */
export const BotLive = Polling.Default.pipe(
  Layer.provide(Funnel.Default),
  Layer.provide(UserChat.Default),
  Layer.provide(Delivery.Default),
  Layer.provide(AdminChat.Default)
)

/** The whole bot; LOG_LEVEL applies to every log line, the ports' start-up included. */
export const AppLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) =>
    BotLive.pipe(Layer.provide(PortsLive), Layer.provide(Logger.minimumLogLevel(config.logLevel))))
).pipe(Layer.provide(AppConfig.Default))
