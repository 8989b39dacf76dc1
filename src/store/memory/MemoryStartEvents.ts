import { Context, Effect, Layer, Option } from "effect"

import type { StartEvent } from "../../lead/Campaign.js"
import { StartEvents } from "../StartEvents.js"
import { MemoryTable, read, write } from "./MemoryTable.js"

/** The memory store's `/start` events, in the order written: what MemoryStats counts. */
export class MemoryStartRows extends Context.Tag("MemoryStartRows")<MemoryStartRows, {
  readonly all: () => ReadonlyArray<StartEvent>
}>() {}

/** People's `/start`s in memory, under the SQL store's rules. */
export const MemoryStartEvents = Layer.effectContext(
  Effect.sync(() => {
    const events = new MemoryTable<number, StartEvent>()
    let written = 0
    const theirs = (telegramId: number) => events.keys().filter((key) => events.get(key)!.telegramId === telegramId)
    const store = StartEvents.of({
      record: (event) => write((unit) => events.set(unit, written++, event)),
      campaignOf: (telegramId, since) =>
        read(() => {
          // The newest by time, then by the order written (its key: a unit taken back changes the table's order).
          const theirs = events.keys().sort((a, b) => a - b).map((key) => events.get(key)!)
            .filter((e) => e.telegramId === telegramId && e.at >= since)
          const latest = theirs.reduce<StartEvent | undefined>(
            (newest, e) => (newest === undefined || e.at >= newest.at ? e : newest),
            undefined
          )
          return Option.flatMap(Option.fromNullable(latest), (e) => e.campaign)
        }),
      forgetBefore: (before) =>
        write((unit) => {
          const old = events.keys().filter((key) => events.get(key)!.at < before)
          for (const key of old) events.delete(unit, key)
          return old.length
        }),
      countOf: (telegramId) => read(() => theirs(telegramId).length),
      forgetPerson: (telegramId) =>
        write((unit) => {
          const forgotten = theirs(telegramId)
          for (const key of forgotten) events.delete(unit, key)
          return forgotten.length
        })
    })
    return Context.make(StartEvents, store).pipe(Context.add(MemoryStartRows, { all: () => events.values() }))
  })
)
