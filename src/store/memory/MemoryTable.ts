import { Effect, Exit, FiberRef } from "effect"

/** How to take back the writes of the unit under way in a fiber, newest last (none outside a unit). */
const unitUndo = FiberRef.unsafeMake<Array<() => void> | undefined>(undefined)

/** The unit a write belongs to: it notes how to take the write back if the unit fails. */
export interface Unit {
  readonly onUndo: (undo: () => void) => void
}

/**
 * A write to memory tables, as one step no other fiber sees half done (a SQL statement); inside `inUnit`, taken
 * back if the unit fails.
 */
export const write = <A>(f: (unit: Unit) => A): Effect.Effect<A> =>
  Effect.flatMap(FiberRef.get(unitUndo), (log) => Effect.sync(() => f({ onUndo: (undo) => log?.push(undo) })))

/** A read of memory tables, as one step. */
export const read = <A>(f: () => A): Effect.Effect<A> => Effect.sync(f)

/**
 * Runs `effect` as a unit, as a SQL transaction does: when it fails (or is interrupted), every write it made to
 * memory tables is taken back, newest first. A unit inside a unit is part of it.
 */
export const inUnit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(FiberRef.get(unitUndo), (outer) => {
    const undo: Array<() => void> = []
    return Effect.locally(effect, unitUndo, undo).pipe(
      Effect.onExit((exit) =>
        Effect.sync(() => {
          if (Exit.isSuccess(exit)) outer?.push(...undo)
          else for (const step of undo.reverse()) step()
        })
      )
    )
  })

/** A table of rows by key, in memory; its writes belong to the unit they run in. */
export class MemoryTable<K, V> {
  private readonly rows = new Map<K, V>()

  get(key: K): V | undefined {
    return this.rows.get(key)
  }

  has(key: K): boolean {
    return this.rows.has(key)
  }

  values(): Array<V> {
    return [...this.rows.values()]
  }

  keys(): Array<K> {
    return [...this.rows.keys()]
  }

  set(unit: Unit, key: K, value: V): void {
    this.noteUndo(unit, key)
    this.rows.set(key, value)
  }

  delete(unit: Unit, key: K): void {
    this.noteUndo(unit, key)
    this.rows.delete(key)
  }

  private noteUndo(unit: Unit, key: K) {
    const had = this.rows.has(key)
    const before = this.rows.get(key)
    unit.onUndo(() => (had ? this.rows.set(key, before as V) : this.rows.delete(key)))
  }
}
