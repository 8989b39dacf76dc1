import { Context, type Effect } from "effect"

import type { StoreError } from "./StoreError.js"

/** Runs store writes as one unit: all of them are kept, or none (a lead and the person's pointer to it). */
export class Transactor extends Context.Tag("Transactor")<
  Transactor,
  { readonly atomically: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | StoreError> }
>() {}
