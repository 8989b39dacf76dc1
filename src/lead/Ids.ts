import { randomUUID } from "node:crypto"

import { Context, Effect } from "effect"

/**
 * Where new ids come from (a lead's, a process's on a shared store), beside Effect's Clock and Random: random UUIDs
 * unless a test provides its own.
 */
export class Ids extends Context.Reference<Ids>()("Ids", {
  defaultValue: (): { readonly next: Effect.Effect<string> } => ({ next: Effect.sync(() => randomUUID()) })
}) {}

/** A new id. */
export const nextId = Effect.flatMap(Ids, (ids) => ids.next)
