import { Effect, Option } from "effect"

import { AppConfig } from "../../config/AppConfig.js"
import type { Lead } from "../../lead/Lead.js"
import { Profiles } from "../../profiles/Profiles.js"
import { afterWorkingMinutes } from "../../profiles/workingClock.js"
import { LeadStore } from "../../store/LeadStore.js"

/** A lead gets at most this many reminders. */
export const MAX_REMINDERS = 3

/**
 * When a lead nobody took or answered is reminded: its brand's `sla_minutes` after it came, counted in working
 * minutes where the brand has hours, then every `sla_minutes` again, at most three times.
 */
export class ReminderClock extends Effect.Service<ReminderClock>()("ReminderClock", {
  effect: Effect.gen(function*() {
    const profiles = yield* Profiles
    const leads = yield* LeadStore
    const { adminTimeZone } = yield* AppConfig

    /** When the lead's `nth` reminder (1, 2, 3) is due, and how many working minutes it has waited then; none: none. */
    const due = (lead: Lead, nth: number) =>
      Option.flatMap(
        profiles.get(lead.profile),
        (profile) =>
          nth > MAX_REMINDERS ? Option.none() : Option.map(profile.slaMinutes, (minutes) => ({
            at: afterWorkingMinutes(lead.createdAt, nth * minutes, profile.hours, adminTimeZone),
            minutes: nth * minutes
          }))
      )

    /** The lead's first reminder, once its message is in its managers' chat (in the unit that records it). */
    const schedule = (lead: Lead) =>
      Option.match(due(lead, 1), { onNone: () => Effect.void, onSome: (d) => leads.scheduleReminder(lead.id, d.at) })

    return { due, schedule } as const
  })
}) {}
