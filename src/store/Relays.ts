import { Context, type Effect, type Option } from "effect"

import type { Relay, RelayOutcome } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** A relay as recorded: its id, where the manager wrote it, to whom, and what to copy. */
export type NewRelay = Omit<Relay, "outcome" | "dueAt" | "retries">

/** The managers' outbox: their messages to people, recorded before they are sent. */
export class Relays extends Context.Tag("Relays")<Relays, {
  /** Records the relay unless its manager's message already was one; true when new. A new one is due at once. */
  readonly record: (relay: NewRelay) => Effect.Effect<boolean, StoreError>
  readonly get: (id: string) => Effect.Effect<Option.Option<Relay>, StoreError>
  /** The person's relays with no outcome yet, in the order the managers wrote them. */
  readonly pendingOf: (telegramId: number) => Effect.Effect<ReadonlyArray<Relay>, StoreError>
  /** Up to `limit` people with a relay due at `now` (a retry whose time came; what a previous run left). */
  readonly peopleDue: (now: number, limit: number) => Effect.Effect<ReadonlyArray<number>, StoreError>
  /** An attempt failed for now: due again at `at`, one retry more. */
  readonly retryLater: (id: string, at: number) => Effect.Effect<void, StoreError>
  /** The relay is over: the person has it, or Telegram refused it for good. The first outcome stands. */
  readonly settle: (id: string, outcome: RelayOutcome) => Effect.Effect<void, StoreError>
  /** How many managers' messages to the person are kept (what /mydata lists). */
  readonly countOf: (telegramId: number) => Effect.Effect<number, StoreError>
  /** Deletes the managers' messages to the person; how many. */
  readonly forgetPerson: (telegramId: number) => Effect.Effect<number, StoreError>
}>() {}
