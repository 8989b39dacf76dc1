import { Clock, Duration, Effect, Layer, Schedule } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { Consents } from "../store/Consents.js"
import { Inbox } from "../store/Inbox.js"
import { StartEvents } from "../store/StartEvents.js"
import type { StoreError } from "../store/StoreError.js"

const EVERY = Duration.hours(1)
/**
 * A consent step (what a /start named, kept until the person accepts) is deleted this long after it was taken, with
 * the raw updates of a person who never accepted: swept hourly, nothing of theirs is left 24 hours on.
 */
const CONSENT_STEP_KEPT = Duration.hours(23)

/** Deletes what is older than `age`, quietly unless it deleted something; a failure is tried again next hour. */
const forgetOlderThan = (
  age: Duration.Duration,
  what: string,
  forget: (before: number) => Effect.Effect<number, StoreError>
) =>
  Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => forget(now - Duration.toMillis(age))),
    Effect.tap((forgotten) =>
      forgotten > 0 ? Effect.logInfo(`forgot ${forgotten} ${what} over ${Duration.format(age)} old`) : Effect.void
    ),
    Effect.catchAll((e) => Effect.logWarning(`forgetting old ${what} failed (tried again in an hour): ${e.message}`))
  )

/**
 * What the store keeps about people, only as long as it serves: raw updates (names and texts) as long as a
 * redelivery must be recognised (UPDATES_RETENTION_DAYS, 7 by default: Telegram keeps an unconfirmed update for a
 * day), `/start` events as long as /stats looks back (STATS_RETENTION_DAYS, 400), a consent step and the updates
 * of someone who never consented a day. Leads stay. Runs at start, then hourly, for the app's lifetime.
 */
export const Retention = Layer.scopedDiscard(Effect.gen(function*() {
  const inbox = yield* Inbox
  const starts = yield* StartEvents
  const consents = yield* Consents
  /** Steps over a day old; the updates of the people among them who never consented. */
  const forgetSteps = (before: number) =>
    consents.expireSteps(before).pipe(
      Effect.flatMap((people) => Effect.forEach(people, inbox.forgetPerson)),
      Effect.map((deleted) => deleted.length)
    )
  const { statsRetentionDays, updatesRetentionDays } = yield* AppConfig
  const forgetOld = Effect.all([
    forgetOlderThan(Duration.days(updatesRetentionDays), "updates handled", inbox.forgetHandled),
    forgetOlderThan(Duration.days(statsRetentionDays), "/start events", starts.forgetBefore),
    forgetOlderThan(CONSENT_STEP_KEPT, "people's updates (they never consented)", forgetSteps)
  ], { discard: true })
  yield* Effect.forkScoped(Effect.repeat(forgetOld, Schedule.spaced(EVERY)))
}))
