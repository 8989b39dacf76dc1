import { Context, type Effect, type Option } from "effect"

import type { Erasure, NewErasure } from "../lead/Erasure.js"
import type { StoreError } from "./StoreError.js"

/** The erasures' outbox: what is left to do in the managers' chats after a person was forgotten. Due at once. */
export class Erasures extends Context.Tag("Erasures")<Erasures, {
  readonly queue: (erasure: NewErasure) => Effect.Effect<void, StoreError>
  readonly get: (id: string) => Effect.Effect<Option.Option<Erasure>, StoreError>
  readonly stepDone: (id: string, seq: number) => Effect.Effect<void, StoreError>
  /** Up to `limit` erasures due at `now` that no live lease holds. */
  readonly due: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** An attempt failed: due again at `at`, one retry more. */
  readonly retryLater: (id: string, at: number) => Effect.Effect<void, StoreError>
  /** Every step is done: due no more. True the first time. */
  readonly settle: (id: string) => Effect.Effect<boolean, StoreError>
}>() {}
