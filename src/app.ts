import { Effect, Layer, Logger } from "effect"

import { AdminChatChecked } from "./admin/checkAdminChat.js"
import { AppConfig } from "./config/AppConfig.js"
import { CrmClientLive } from "./crm/CrmClientLive.js"
import { DispatcherLive, PooledHttpClient } from "./http/connectionPool.js"
import { Profiles } from "./profiles/Profiles.js"
import { DatabaseLive } from "./store/sqlite/Database.js"
import { SqliteFollowUpState } from "./store/sqlite/SqliteFollowUpState.js"
import { SqliteInbox } from "./store/sqlite/SqliteInbox.js"
import { SqliteLeadStore } from "./store/sqlite/SqliteLeadStore.js"
import { SqlTransactor } from "./store/sqlite/SqlTransactor.js"
import { TelegramBotLive } from "./telegram/TelegramBot.js"
import { InboxRetention } from "./updates/InboxRetention.js"
import { PollingLive } from "./updates/Polling.js"

/** LOG_LEVEL, for every log line from the start (the ports' start-up included). */
export const LogLevelLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) => Logger.minimumLogLevel(config.logLevel))
).pipe(Layer.provide(AppConfig.Default))

/** The durable stores: one embedded SQLite file (DATA_DIR or DATABASE_URL). */
export const StoresLive = Layer.mergeAll(SqliteLeadStore, SqliteFollowUpState, SqliteInbox, SqlTransactor).pipe(
  Layer.provide(DatabaseLive)
)

/** The ports, live: Telegram, the CRM over HTTP, the stores; the settings first, so their errors come first. */
export const PortsLive = Layer.mergeAll(
  TelegramBotLive.pipe(Layer.provide(DispatcherLive)),
  CrmClientLive.pipe(Layer.provide(PooledHttpClient)),
  StoresLive
).pipe(Layer.provideMerge(Layer.merge(Profiles.Default, AppConfig.Default)))

/** The ports once the start-up checks that need them passed (the admin chat is there and takes the bot's posts). */
export const CheckedPortsLive = AdminChatChecked.pipe(Layer.provideMerge(PortsLive))

/**
 * The whole bot: polling feeds the funnel, the funnel records leads, delivery reaches a human (each service brings
 * the services it needs); the inbox forgets old updates. Here only the live ports are chosen.
 */
export const AppLive = Layer.mergeAll(PollingLive, InboxRetention).pipe(
  Layer.provide(CheckedPortsLive),
  Layer.provide(LogLevelLive)
)
