import { Effect, Layer } from "effect"

import { brandCrmKind } from "../crm/CrmTarget.js"
import { makeKnownSeries } from "../metrics/knownSeries.js"
import { Profiles } from "../profiles/Profiles.js"

/** At start: every contract series whose labels are known, at 0, for each brand of locales.json. */
export const KnownSeries = Layer.effectDiscard(
  Effect.flatMap(
    Profiles,
    (profiles) => makeKnownSeries(profiles.all.map((p) => ({ brand: p.key, crm: brandCrmKind(p.crm) })))
  )
)
