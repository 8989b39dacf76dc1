import { Effect, Layer, Option } from "effect"

import type { ConsentRecord, ConsentStep, ConsentText } from "../../lead/Consent.js"
import { Consents } from "../Consents.js"
import { StoreError } from "../StoreError.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

const standing = (record: ConsentRecord) => Option.isNone(record.withdrawnAt)

/** The consent log in memory (unit tests), under the SQL store's rules: withdrawals change a record, none goes. */
export const MemoryConsents = Layer.effect(
  Consents,
  Effect.sync(() => {
    const texts = new MemoryTable<string, ConsentText>()
    /** Keyed by the order written (the SQL store's rowid), which orders accepts of one millisecond. */
    const records = new MemoryTable<number, ConsentRecord>()
    const steps = new MemoryTable<number, ConsentStep>()
    let written = 0
    /** Oldest first: by time, then by the order written (not the table's own: a unit taken back changes that). */
    const inOrder = (keep: (r: ConsentRecord) => boolean) =>
      records.keys().filter((k) => keep(records.get(k)!)).sort((a, b) =>
        records.get(a)!.acceptedAt - records.get(b)!.acceptedAt || a - b
      )
    const entriesOf = (telegramId: number) => inOrder((r) => r.telegramId === telegramId)
    const hasStanding = (telegramId: number) => records.values().some((r) => r.telegramId === telegramId && standing(r))

    return Consents.of({
      accepted: (telegramId, version) =>
        read(() => records.values().some((r) => r.telegramId === telegramId && r.version === version && standing(r))),
      keepText: (text) => write((unit) => (texts.has(text.sha256) ? undefined : texts.set(unit, text.sha256, text))),
      textOf: (sha256) => read(() => Option.fromNullable(texts.get(sha256))),
      // The text must be kept first (the SQL store's foreign key): the log proves what was accepted.
      accept: (consent) =>
        write((unit) => {
          if (!texts.has(consent.textSha256)) return undefined
          const again = records.values().some((r) =>
            r.telegramId === consent.telegramId && r.version === consent.version &&
            r.textSha256 === consent.textSha256 && standing(r)
          )
          if (again) return false
          const { at, ...rest } = consent
          records.set(unit, written++, { ...rest, acceptedAt: at, withdrawnAt: Option.none() })
          return true
        }).pipe(
          Effect.flatMap((recorded) =>
            recorded === undefined
              ? new StoreError({ operation: "accept", cause: `no consent text ${consent.textSha256} is kept` })
              : Effect.succeed(recorded)
          )
        ),
      withdraw: (telegramId, at) =>
        write((unit) => {
          const withdrawn = entriesOf(telegramId).filter((k) => standing(records.get(k)!))
          for (const k of withdrawn) records.set(unit, k, { ...records.get(k)!, withdrawnAt: Option.some(at) })
          return withdrawn.length
        }),
      historyOf: (telegramId) => read(() => entriesOf(telegramId).map((k) => records.get(k)!)),
      log: (since) => read(() => inOrder((r) => r.acceptedAt >= since).map((k) => records.get(k)!)),
      saveStep: (step) => write((unit) => steps.set(unit, step.telegramId, step)),
      stepOf: (telegramId) => read(() => Option.fromNullable(steps.get(telegramId))),
      dropStep: (telegramId) => write((unit) => steps.delete(unit, telegramId)),
      expireSteps: (before) =>
        write((unit) => {
          const expired = steps.values().filter((step) => step.at < before).map((step) => step.telegramId)
          for (const telegramId of expired) steps.delete(unit, telegramId)
          return expired.filter((telegramId) => !hasStanding(telegramId))
        })
    })
  })
)
