import { Clock, Effect, Fiber, Layer, Metric, Option, Ref, Schedule } from "effect"

import { updatesReceived } from "../metrics/metrics.js"
import { Inbox } from "../store/Inbox.js"
import { PollingLeader } from "../store/PollingLeader.js"
import { TelegramBot } from "../telegram/TelegramBot.js"
import { Intake } from "./Intake.js"

const LONG_POLL_SECONDS = 25
const pollRetry = Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))
const receivedByPolling = Metric.tagged(updatesReceived, "source", "polling")

/**
 * Our own getUpdates loop (not `bot.start()` or the runner): each batch is recorded in the Inbox before the
 * offset moves past it, then handed to the Intake. A kill between the two loses nothing: recorded-but-unhandled
 * updates are handled at the next start (or by another replica), and an update seen twice is handled once. The
 * next poll waits only while too many updates are in flight. Of several replicas, only the leader polls.
 */
export const Polling = Layer.scopedDiscard(
  Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const inbox = yield* Inbox
    const intake = yield* Intake
    const leader = yield* PollingLeader

    const getUpdates = (offset: number, timeout: number, limit?: number) =>
      telegram.call(
        "getUpdates",
        (api, signal) =>
          api.getUpdates({ offset, timeout, limit, allowed_updates: ["message", "callback_query"] }, signal)
      )

    /** One long poll; the batch is recorded before the offset moves past it. */
    const receive = (offset: Ref.Ref<number>) =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) => getUpdates(from, LONG_POLL_SECONDS)),
        Effect.tap((updates) => Metric.incrementBy(receivedByPolling, updates.length)),
        Effect.flatMap((updates) =>
          updates.length === 0 ? Effect.succeed([]) : intake.record(updates).pipe(
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

    /**
     * Polls while this replica leads. It starts from the newest update any replica recorded. When it stops, Telegram
     * is told which updates are recorded (so they are not received again: the inbox has them), and then the lead
     * is let go.
     */
    const pollWhileLeading = Effect.gen(function*() {
      const lost = yield* leader.lead
      const start = Option.match(yield* inbox.lastRecorded, { onNone: () => 0, onSome: (id) => id + 1 })
      const offset = yield* Ref.make(start)
      yield* Effect.addFinalizer(() =>
        Ref.get(offset).pipe(
          Effect.flatMap((from) =>
            from === 0 ? Effect.void : getUpdates(from, 0, 1).pipe(Effect.interruptible, Effect.timeout("3 seconds"))
          ),
          Effect.ignore
        )
      )
      yield* Effect.logInfo("polling for updates")
      const loop = receive(offset).pipe(
        Effect.flatMap((updates) => Effect.flatMap(Clock.currentTimeMillis, (now) => intake.dispatch(updates, now))),
        Effect.forever
      )
      yield* Effect.raceFirst(loop, lost)
      yield* Effect.logError("polling stopped: the database connection that held the polling lead broke; retrying")
    }).pipe(
      Effect.catchAll((e) => Effect.logWarning(`polling paused: ${e.message}`)),
      Effect.scoped
    )

    yield* telegram.call("deleteWebhook", (api, signal) => api.deleteWebhook({ drop_pending_updates: false }, signal))
    const polling = yield* Effect.forkScoped(Effect.forever(pollWhileLeading))
    // On shutdown: no new batch (the Intake then finishes the chats under way).
    yield* Effect.addFinalizer(() => Fiber.interrupt(polling).pipe(Effect.zipRight(Effect.logInfo("polling stopped"))))
  })
)

/** Polling with the Intake it feeds (and so the funnel). */
export const PollingLive = Polling.pipe(Layer.provide(Intake.Default))
