import { Context, type Effect } from "effect"

import type { StoreError } from "./StoreError.js"

/** Runs store writes as one unit: all of them are kept, or none (a lead and the person's pointer to it). */
export class Transactor extends Context.Tag("Transactor")<
  Transactor,
  {
    readonly atomically: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | StoreError>
    /**
     * A small write to make durable as soon as possible (a confirmation marked sent, a lead's outcome: until it
     * commits, a crash sends the message or the lead again): where the store has
     * connections to spare (PostgreSQL), committed on its own at once rather than behind a group; where one
     * connection serves all (SQLite), in the next group commit, which comes sooner than a commit of its own would.
     */
    readonly promptly: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E | StoreError>
  }
>() {}
