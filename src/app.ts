import { Effect, Layer, Option } from "effect"

import { AppConfig } from "./config/AppConfig.js"
import { EnvironmentLive } from "./config/environment.js"
import { LoggingLive } from "./config/Logging.js"
import { CrmClientLive } from "./crm/CrmClientLive.js"
import { DispatcherLive, PooledHttpClient } from "./http/connectionPool.js"
import { ManagersChatsChecked } from "./managers/checkManagersChats.js"
import { ManagersChats } from "./managers/ManagersChats.js"
import { Profiles } from "./profiles/Profiles.js"
import { Retention } from "./retention/Retention.js"
import { UpdateRouter } from "./router/UpdateRouter.js"
import { Endpoints } from "./server/Endpoints.js"
import { HttpServerLive } from "./server/HttpServerLive.js"
import { KnownSeries } from "./server/KnownSeries.js"
import { Serving } from "./server/Serving.js"
import { StoresLive } from "./store/Stores.js"
import { TelegramBotLive } from "./telegram/TelegramBot.js"
import { PollingLive } from "./updates/Polling.js"
import { WebhookLive } from "./updates/Webhook.js"

/**
 * Telegram, once the start-up checks passed (the token is good; every managers' chat is there and takes the bot's
 * posts), and which brand's managers' chat is which.
 */
const CheckedTelegramLive = ManagersChatsChecked.pipe(
  Layer.provideMerge(Layer.merge(TelegramBotLive.pipe(Layer.provide(DispatcherLive)), ManagersChats.Default))
)

/**
 * The ports, live and checked: Telegram, the CRM over HTTP, the stores, each started at once with the others (the
 * Bot API checks while the store opens and migrates); the brands first, so their errors come first.
 */
export const CheckedPortsLive = Layer.mergeAll(
  CheckedTelegramLive,
  CrmClientLive.pipe(Layer.provide(PooledHttpClient)),
  StoresLive
).pipe(Layer.provideMerge(Profiles.Default))

type EitherIntake = Layer.Layer<
  never,
  Layer.Layer.Error<typeof WebhookLive | typeof PollingLive>,
  Layer.Layer.Context<typeof WebhookLive | typeof PollingLive>
>

/** Updates come by webhook when WEBHOOK_URL is set, else by polling; each goes to the router. */
export const IntakeLive = Layer.unwrapEffect(
  Effect.map(AppConfig, ({ webhook }): EitherIntake => Option.isSome(webhook) ? WebhookLive : PollingLive)
).pipe(Layer.provide(UpdateRouter.Default))

/**
 * The whole bot, in the order it starts: the settings (read once, here); logging; the HTTP server (so /healthz
 * answers and /readyz says 503 while the rest starts); the ports and their checks; the intake that feeds the router,
 * whose features record leads that delivery takes to a human (each service brings the services it needs); the
 * retention of what is kept about people, and the known metric series; and last, readiness.
 * It stops in the opposite order: readiness first. Here only the live ports are chosen.
 */
export const AppLive = Serving.pipe(
  Layer.provide(Layer.mergeAll(IntakeLive, Retention, KnownSeries)),
  Layer.provide(CheckedPortsLive),
  Layer.provide(HttpServerLive),
  Layer.provide(Endpoints.Default),
  Layer.provide(LoggingLive),
  Layer.provide(AppConfig.Default.pipe(Layer.provide(EnvironmentLive)))
)
