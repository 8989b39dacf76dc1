import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Layer, Logger } from "effect"
import { AdminChat } from "./admin/AdminChat.js"
import { AdminChatChecked } from "./admin/checkAdminChat.js"
import { AppConfig } from "./config/AppConfig.js"
import { CrmClientLive } from "./crm/CrmClientLive.js"
import { Delivery } from "./delivery/Delivery.js"
import { PeopleFirst } from "./concurrency/PeopleFirst.js"
import { DispatcherLive, PooledHttpClient } from "./http/connectionPool.js"
import { Funnel } from "./funnel/Funnel.js"
import { UserChat } from "./funnel/UserChat.js"
import { Profiles } from "./profiles/Profiles.js"
import { ManagerTools } from "./admin/ManagerTools.js"
import { DatabaseLive } from "./store/sqlite/Database.js"
import { SqliteFollowUpState } from "./store/sqlite/SqliteFollowUpState.js"
import { SqliteInbox } from "./store/sqlite/SqliteInbox.js"
import { SqliteLeadStore } from "./store/sqlite/SqliteLeadStore.js"
import { SqlTransactor } from "./store/Transactor.js"
import { TelegramBotLive } from "./telegram/TelegramBot.js"
import { InboxRetention } from "./updates/InboxRetention.js"
import { Polling } from "./updates/Polling.js"

/** The durable stores: one embedded SQLite file (DATA_DIR or DATABASE_URL). */
export const StoresLive = Layer.mergeAll(SqliteLeadStore, SqliteFollowUpState, SqliteInbox, SqlTransactor).pipe(
  Layer.provide(DatabaseLive)
)

/** The ports, live: Telegram, the CRM over HTTP, the stores; config and locales first, so their errors come first. */
export const PortsLive = Layer.mergeAll(
  TelegramBotLive.pipe(Layer.provide(DispatcherLive)),
  CrmClientLive.pipe(Layer.provide(PooledHttpClient)),
  StoresLive
).pipe(
  Layer.provideMerge(Profiles.Default.pipe(Layer.provide(NodeFileSystem.layer))),
  Layer.provideMerge(AppConfig.Default)
)

/** The bot: polling feeds the funnel, the funnel records leads, delivery reaches a human. */
export const BotLive = Layer.merge(Polling.Default, InboxRetention).pipe(
  Layer.provide(Funnel.Default),
  Layer.provide(ManagerTools.Default),
  Layer.provide(UserChat.Default),
  Layer.provide(Delivery.Default),
  Layer.provide(AdminChat.Default),
  // One for both: polling counts the people waiting, delivery holds back for them.
  Layer.provide(PeopleFirst.Default)
)

/** The ports once the start-up checks that need them passed (the admin chat is there and takes the bot's posts). */
export const CheckedPortsLive = AdminChatChecked.pipe(Layer.provideMerge(PortsLive))

/** The whole bot; LOG_LEVEL applies to every log line, the ports' start-up included. */
export const AppLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) =>
    BotLive.pipe(Layer.provide(CheckedPortsLive), Layer.provide(Logger.minimumLogLevel(config.logLevel))))
).pipe(Layer.provide(AppConfig.Default))
