import { Context, type Effect } from "effect"

import type { CrmNoteOutcome, NewCrmNote, PendingCrmNote } from "../lead/CrmNote.js"
import type { StoreError } from "./StoreError.js"

/** The notes' outbox: what a lead's native CRM is still to get (each note once, by its key; due at once). */
export class CrmNotes extends Context.Tag("CrmNotes")<CrmNotes, {
  /** Queues the notes not queued before (a key once a lead). */
  readonly queue: (notes: ReadonlyArray<NewCrmNote>) => Effect.Effect<void, StoreError>
  /** The lead's notes with no outcome yet, in the order they came. */
  readonly pendingOf: (leadId: string) => Effect.Effect<ReadonlyArray<PendingCrmNote>, StoreError>
  /** Up to `limit` leads with a note due at `now` that no live lease holds. */
  readonly leadsDue: (now: number, limit: number) => Effect.Effect<ReadonlyArray<string>, StoreError>
  readonly retryLater: (leadId: string, key: string, at: number) => Effect.Effect<void, StoreError>
  readonly settle: (leadId: string, key: string, outcome: CrmNoteOutcome) => Effect.Effect<void, StoreError>
  /** Deletes the notes of the person's leads (they hold what the person wrote); how many. Before their leads. */
  readonly forgetPerson: (telegramId: number) => Effect.Effect<number, StoreError>
}>() {}
