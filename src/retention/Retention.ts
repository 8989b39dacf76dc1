import { Clock, Duration, Effect, Layer, Schedule } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { Inbox } from "../store/Inbox.js"
import { StartEvents } from "../store/StartEvents.js"
import type { StoreError } from "../store/StoreError.js"

const EVERY = Duration.hours(1)

/** Deletes what is older than `days`, quietly unless it deleted something; a failure is tried again next hour. */
const forgetOlderThan = (days: number, what: string, forget: (before: number) => Effect.Effect<number, StoreError>) =>
  Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => forget(now - Duration.toMillis(Duration.days(days)))),
    Effect.tap((forgotten) =>
      forgotten > 0 ? Effect.logInfo(`forgot ${forgotten} ${what} over ${days} days old`) : Effect.void
    ),
    Effect.catchAll((e) => Effect.logWarning(`forgetting old ${what} failed (tried again in an hour): ${e.message}`))
  )

/**
 * What the store keeps about people, only as long as it serves: raw updates (names and texts) as long as a
 * redelivery must be recognised (UPDATES_RETENTION_DAYS, 7 by default: Telegram keeps an unconfirmed update for a
 * day), `/start` events as long as /stats looks back (STATS_RETENTION_DAYS, 400). Leads stay. Runs at start, then
 * hourly, for the app's lifetime.
 */
export const Retention = Layer.scopedDiscard(Effect.gen(function*() {
  const inbox = yield* Inbox
  const starts = yield* StartEvents
  const { statsRetentionDays, updatesRetentionDays } = yield* AppConfig
  const forgetOld = Effect.all([
    forgetOlderThan(updatesRetentionDays, "updates handled", inbox.forgetHandled),
    forgetOlderThan(statsRetentionDays, "/start events", starts.forgetBefore)
  ], { discard: true })
  yield* Effect.forkScoped(Effect.repeat(forgetOld, Schedule.spaced(EVERY)))
}))
