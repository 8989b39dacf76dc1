import { Clock, Duration, Effect, Layer, Schedule } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { Inbox } from "../store/Inbox.js"

const EVERY = Duration.hours(1)

/**
 * Raw updates (people's names and texts) are kept only as long as a redelivery must be recognised
 * (UPDATES_RETENTION_DAYS, 7 by default: Telegram keeps an unconfirmed update for a day). Leads stay.
 * Runs at start, then hourly, for the app's lifetime.
 */
export const InboxRetention = Layer.scopedDiscard(Effect.gen(function*() {
  const inbox = yield* Inbox
  const { updatesRetentionDays } = yield* AppConfig
  const keep = Duration.toMillis(Duration.days(updatesRetentionDays))
  const forgetOld = Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => inbox.forgetHandled(now - keep)),
    Effect.tap((
      forgotten
    ) => (forgotten > 0
      ? Effect.logInfo(`forgot ${forgotten} updates handled over ${updatesRetentionDays} days ago`)
      : Effect.void)
    ),
    Effect.catchAll((e) => Effect.logWarning(`forgetting old updates failed (tried again in an hour): ${e.message}`))
  )
  yield* Effect.forkScoped(Effect.repeat(forgetOld, Schedule.spaced(EVERY)))
}))
