import { Context, Effect, Layer, Schema } from "effect"

import type { StoreError } from "./StoreError.js"

/**
 * What a lease is on: a chat's updates (the intake), a lead's attempts (delivery), a person's relays, an erasure, a
 * lead's reminders, a lead's CRM notes, a fallback lead's reconciliation with its CRM.
 */
export const LeaseKind = Schema.Literal("chat", "lead", "person", "erasure", "reminder", "crm_note", "reconcile")
export type LeaseKind = typeof LeaseKind.Type

/**
 * Work on a key that one process holds at a time, for a lease. How the store holds leases:
 * - exclusive (SQLite, memory): one process opens the store (its lock says so), so every claim holds by
 *   construction and nothing is written or swept;
 * - shared (PostgreSQL): a lease is a row that lapses unless its holder renews it, with times from the database's
 *   clock (replicas' clocks do not matter), so a replica that dies lets its work go.
 */
export class Leases extends Context.Tag("Leases")<Leases, {
  /** Whose leases these are: "local" on an exclusive store, this process's own name on a shared one. */
  readonly holder: string
  /** The store belongs to this process alone. */
  readonly exclusive: boolean
  /** Takes the keys that no other holder's live lease holds, for `leaseMillis`; returns those now held. */
  readonly claim: (
    kind: LeaseKind,
    keys: ReadonlyArray<string>,
    leaseMillis: number
  ) => Effect.Effect<ReadonlyArray<string>, StoreError>
  /** Extends this holder's leases on `keys` (the work it is doing). */
  readonly renew: (kind: LeaseKind, keys: ReadonlyArray<string>, leaseMillis: number) => Effect.Effect<void, StoreError>
  /** Lets go of this holder's leases on `keys` (after their work; at shutdown, so other replicas go on at once). */
  readonly release: (kind: LeaseKind, keys: ReadonlyArray<string>) => Effect.Effect<void, StoreError>
}>() {}

/** Leases on a store no other process opens: each claim holds, and costs nothing. */
export const ExclusiveLeases = Layer.succeed(
  Leases,
  Leases.of({
    holder: "local",
    exclusive: true,
    claim: (_kind, keys) => Effect.succeed([...new Set(keys)]),
    renew: () => Effect.void,
    release: () => Effect.void
  })
)
