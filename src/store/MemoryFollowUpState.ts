import { Array as Arr, Effect, HashMap, Layer, Option, Ref } from "effect"

import type { AppliedVia, FollowUp } from "../lead/Lead.js"
import { FollowUpState } from "./FollowUpState.js"

interface Entry {
  readonly followUp: FollowUp
  readonly applied: Option.Option<AppliedVia>
}

/** In-memory follow-up state for unit tests and the demo. */
export const MemoryFollowUpState = Layer.effect(
  FollowUpState,
  Effect.gen(function*() {
    const latest = yield* Ref.make(HashMap.empty<number, string>())
    const byLead = yield* Ref.make(HashMap.empty<string, ReadonlyArray<Entry>>())
    const entries = (leadId: string) =>
      Ref.get(byLead).pipe(
        Effect.map((m) => Option.getOrElse(HashMap.get(m, leadId), () => [] as ReadonlyArray<Entry>))
      )
    return FollowUpState.of({
      attach: (telegramId, leadId) => Ref.update(latest, HashMap.set(telegramId, leadId)),
      latestLead: (telegramId) => Ref.get(latest).pipe(Effect.map(HashMap.get(telegramId))),
      // A message is one follow-up, even if its update is handled twice (the SQL stores' unique index).
      add: (input) =>
        Ref.modify(byLead, (m) => {
          for (const list of HashMap.values(m)) {
            const seen = list.find((e) =>
              e.followUp.chatId === input.chatId && e.followUp.messageId === input.messageId
            )
            if (seen !== undefined) return [seen.followUp, m] as const
          }
          const list = Option.getOrElse(HashMap.get(m, input.leadId), () => [] as ReadonlyArray<Entry>)
          const followUp: FollowUp = { ...input, seq: list.length + 1 }
          const next: ReadonlyArray<Entry> = [...list, { followUp, applied: Option.none() }]
          return [followUp, HashMap.set(m, input.leadId, next)] as const
        }),
      queued: (leadId) =>
        entries(leadId).pipe(
          Effect.map(Arr.filterMap((e) => (Option.isNone(e.applied) ? Option.some(e.followUp) : Option.none())))
        ),
      markApplied: (leadId, seq, via) =>
        Ref.update(
          byLead,
          HashMap.modify(leadId, (list): ReadonlyArray<Entry> =>
            list.map((e) => (e.followUp.seq === seq ? { ...e, applied: Option.some(via) } : e)))
        ),
      appliedByEdit: (leadId) =>
        entries(leadId).pipe(
          Effect.map(
            Arr.filterMap((
              e
            ) => (Option.contains(e.applied, "edit" as AppliedVia) ? Option.some(e.followUp) : Option.none()))
          )
        )
    })
  })
)
