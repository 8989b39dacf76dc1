import { Effect, Layer, Option } from "effect"

import { AppConfig } from "./config/AppConfig.js"
import { LoggingLive } from "./config/Logging.js"
import { checkBrandCrms } from "./crm/checkCrms.js"
import { CrmLive } from "./crm/CrmLive.js"
import { CrmNotesDelivery } from "./crmNotes/CrmNotesDelivery.js"
import { DeliveriesLive } from "./delivery/DeliveriesLive.js"
import { Delivery } from "./delivery/Delivery.js"
import { OpenLeadsRelocated } from "./delivery/OpenLeadsRelocated.js"
import { Reconciliation } from "./delivery/Reconciliation.js"
import { DispatcherLive } from "./http/connectionPool.js"
import { ManagersChatsChecked } from "./managers/checkManagersChats.js"
import { ManagersChats } from "./managers/ManagersChats.js"
import { ReminderLoop } from "./managers/reminders/ReminderLoop.js"
import { ErasureDelivery } from "./privacy/ErasureDelivery.js"
import { Profiles } from "./profiles/Profiles.js"
import { RelayDelivery } from "./relay/RelayDelivery.js"
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

/** At start, every brand's CRM says its credentials are good (a refusal stops start-up; an outage only warns). */
const CheckedCrmsLive = Layer.effectDiscard(Effect.flatMap(Profiles, (profiles) => checkBrandCrms(profiles.all)))

/**
 * The ports, live and checked: Telegram, the brands' CRMs over HTTP, the stores, each started at once with the others
 * (the Bot API and the CRMs check while the store opens and migrates); the brands first, so their errors come first.
 */
export const CheckedPortsLive = Layer.mergeAll(
  CheckedTelegramLive,
  CheckedCrmsLive.pipe(Layer.provideMerge(CrmLive.pipe(Layer.provide(DispatcherLive)))),
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
)

/**
 * The loops that take outgoing work from the store: leads to a human (Delivery), managers' messages to people
 * (RelayDelivery), the managers' chats cleaned after a person's data was deleted (ErasureDelivery), the notes on
 * leads in amoCRM and Bitrix24 (CrmNotesDelivery), fallback leads offered to their CRM again (Reconciliation); the
 * features reach them through their door (DeliveriesLive).
 */
export const DeliveryLoopsLive = DeliveriesLive.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      Delivery.Default,
      RelayDelivery.Default,
      ErasureDelivery.Default,
      CrmNotesDelivery.Default,
      Reconciliation.Default
    )
  )
)

/**
 * The whole bot, in the order it starts: the settings (read once, here); logging; the HTTP server (so /healthz
 * answers and /readyz says 503 while the rest starts); the ports and their checks; the delivery loops; the features
 * (the router); the loops that feed them and keep the store lean: the intake (polling, or the webhook's handling),
 * the retention of what is kept about people, the reminders of leads nobody took or answered; open leads moved to
 * their brand's new chat; the known metric series; and last, readiness.
 * It stops in the opposite order: readiness first, then the intake, the features, the deliveries (their attempts
 * under way finish), the ports. Here only the live ports are chosen.
 */
export const AppLive = Serving.pipe(
  Layer.provide(Layer.mergeAll(IntakeLive, Retention, ReminderLoop.Default, OpenLeadsRelocated, KnownSeries)),
  Layer.provide(UpdateRouter.Default),
  Layer.provide(DeliveryLoopsLive),
  Layer.provide(CheckedPortsLive),
  Layer.provide(HttpServerLive),
  Layer.provide(Endpoints.Default),
  Layer.provide(LoggingLive),
  Layer.provide(AppConfig.Default)
)
