import { Clock, Effect, Layer, Option } from "effect"

import type { AppliedVia, FollowUp } from "../../lead/Lead.js"
import { FollowUpState } from "../FollowUpState.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

const byEdit: AppliedVia = "edit"

interface Entry {
  readonly followUp: FollowUp
  readonly at: number
  readonly applied: Option.Option<AppliedVia>
}

/** Follow-up state in memory (unit tests, the demo), under the SQL stores' rules. */
export const MemoryFollowUpState = Layer.effect(
  FollowUpState,
  Effect.sync(() => {
    const latest = new MemoryTable<number, string>()
    const byLead = new MemoryTable<string, ReadonlyArray<Entry>>()
    /** A message is one follow-up, even if its update is handled twice (the SQL stores' unique index). */
    const byMessage = new MemoryTable<string, { readonly followUp: FollowUp; readonly arrival: number }>()
    let arrivals = 0
    const entries = (leadId: string) => byLead.get(leadId) ?? []
    const followUpsOf = (leadId: string, keep: (e: Entry) => boolean) =>
      read(() => entries(leadId).filter(keep).map((e) => e.followUp))
    /**
     * A person's follow-ups in the order they came (counted: a table's own order is not kept through a unit taken
     * back). They come from the person's private chat, whose id is theirs.
     */
    const theirsOf = (telegramId: number) =>
      byMessage.values().filter((m) => m.followUp.chatId === telegramId).sort((a, b) => a.arrival - b.arrival)
        .map((m) => m.followUp)

    return FollowUpState.of({
      attach: (telegramId, leadId) => write((unit) => latest.set(unit, telegramId, leadId)),
      latestLead: (telegramId) => read(() => Option.fromNullable(latest.get(telegramId))),
      add: (input) =>
        Effect.flatMap(Clock.currentTimeMillis, (at) =>
          write((unit) => {
            const message = `${input.chatId}:${input.messageId}`
            const seen = byMessage.get(message)
            if (seen !== undefined) return seen.followUp
            const list = entries(input.leadId)
            const followUp: FollowUp = { ...input, seq: list.length + 1 }
            byLead.set(unit, input.leadId, [...list, { followUp, at, applied: Option.none() }])
            byMessage.set(unit, message, { followUp, arrival: arrivals++ })
            return followUp
          })),
      allOf: (leadId) => read(() => entries(leadId).map(({ at, followUp }) => ({ followUp, at }))),
      queued: (leadId) => followUpsOf(leadId, (e) => Option.isNone(e.applied)),
      markApplied: (leadId, seq, via) =>
        write((unit) => {
          const list = byLead.get(leadId)
          if (list === undefined) return
          byLead.set(unit, leadId, list.map((e) => (e.followUp.seq === seq ? { ...e, applied: Option.some(via) } : e)))
        }),
      appliedByEdit: (leadId) => followUpsOf(leadId, (e) => Option.contains(e.applied, byEdit)),
      phoneOf: (leadId) =>
        read(() => Option.fromNullable(entries(leadId).filter((e) => e.followUp.phone).at(-1)?.followUp.text)),
      // The last phone is the last one given.
      ofPerson: (telegramId) =>
        read(() => {
          const theirs = theirsOf(telegramId)
          return {
            followUps: theirs.length,
            phone: Option.fromNullable(theirs.filter((f) => f.phone).at(-1)?.text)
          }
        }),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const theirs = theirsOf(telegramId)
          for (const f of theirs) byMessage.delete(unit, `${f.chatId}:${f.messageId}`)
          for (const leadId of new Set(theirs.map((f) => f.leadId))) {
            const rest = entries(leadId).filter((e) => e.followUp.chatId !== telegramId)
            if (rest.length === 0) byLead.delete(unit, leadId)
            else byLead.set(unit, leadId, rest)
          }
          const latestLead = latest.has(telegramId) ? 1 : 0
          latest.delete(unit, telegramId)
          return { followUps: theirs.length, latestLead }
        })
    })
  })
)
