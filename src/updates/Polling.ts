import { Clock, Effect, Fiber, Layer, Metric, Option, Ref, Schedule } from "effect"

import { updatesReceived } from "../metrics/metrics.js"
import { Inbox } from "../store/Inbox.js"
import { Transactor } from "../store/Transactor.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { Intake } from "./Intake.js"

const LONG_POLL_SECONDS = 25
const pollRetry = Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))
const receivedByPolling = Metric.tagged(updatesReceived, "source", "polling")

/**
 * Our own getUpdates loop (not `bot.start()` or the runner): each batch is recorded in the Inbox before the
 * offset moves past it, then handed to the Intake. A kill between the two loses nothing: recorded-but-unhandled
 * updates are handled at the next start, and an update seen twice is handled once. The next poll waits only
 * while too many updates are in flight.
 */
export const Polling = Layer.scopedDiscard(
  Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const inbox = yield* Inbox
    const intake = yield* Intake
    const { atomically } = yield* Transactor
    const offset = yield* Ref.make(Option.match(yield* inbox.lastRecorded, { onNone: () => 0, onSome: (id) => id + 1 }))

    const getUpdates = (timeout: number, limit?: number) =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) =>
          telegram.call("getUpdates", (api, signal) =>
            api.getUpdates({ offset: from, timeout, limit, allowed_updates: ["message", "callback_query"] }, signal))
        )
      )

    /** One long poll; the batch is recorded before the offset moves past it. */
    const receive = getUpdates(LONG_POLL_SECONDS).pipe(
      Effect.tap((updates) => Metric.incrementBy(receivedByPolling, updates.length)),
      Effect.flatMap((updates) =>
        updates.length === 0 ? Effect.succeed([]) : atomically(inbox.record(updates)).pipe(
          Effect.tap(() => Ref.set(offset, updates[updates.length - 1]!.update_id + 1)),
          Effect.uninterruptible
        )
      ),
      Effect.tapError((e) =>
        e._tag === "TelegramError" && e.code === 409
          ? Effect.logError(
            `another bot instance is receiving updates with this BOT_TOKEN (Telegram: ${e.code} ${e.description}); ` +
              "only one may poll: stop the other one. Retrying"
          )
          : Effect.logWarning(`receiving updates failed, retrying: ${e.message}`)
      ),
      Effect.retry(pollRetry)
    )

    const loop = receive.pipe(
      Effect.flatMap((updates) => Effect.flatMap(Clock.currentTimeMillis, (now) => intake.dispatch(updates, now))),
      Effect.forever
    )

    yield* telegram.call("deleteWebhook", (api, signal) => api.deleteWebhook({ drop_pending_updates: false }, signal))
    const polling = yield* Effect.forkScoped(loop)
    // On shutdown: no new batch (the Intake then finishes and marks the updates under way); Telegram is told which
    // updates are recorded, so a restart does not receive them again (the inbox has them).
    yield* Effect.addFinalizer(() =>
      Fiber.interrupt(polling).pipe(
        Effect.zipRight(Ref.get(offset)),
        Effect.flatMap((from) =>
          from === 0 ? Effect.void : getUpdates(0, 1).pipe(Effect.interruptible, Effect.timeout("3 seconds"))
        ),
        Effect.ignore,
        Effect.zipRight(Effect.logInfo("polling stopped"))
      )
    )
    yield* Effect.logInfo("polling for updates")
  })
)

/** Polling with the Intake it feeds (and so the funnel). */
export const PollingLive = Polling.pipe(Layer.provide(Intake.Default))
