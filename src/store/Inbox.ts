import { Context, type Effect, type Option } from "effect"
import type { Update } from "grammy/types"

import type { Claim } from "./Replica.js"
import type { StoreError } from "./StoreError.js"

/** An update as recorded: with when it arrived. */
export interface Recorded {
  readonly update: Update
  readonly receivedAt: number
}

/** Every update is recorded (keyed by update_id) before the polling offset moves past it. */
export class Inbox extends Context.Tag("Inbox")<
  Inbox,
  {
    /**
     * Records the updates not seen before; returns those still to handle (new, or recorded but unhandled). Two
     * statements: run it as one unit through the Transactor (concurrent webhook requests then share a commit).
     */
    readonly record: (updates: ReadonlyArray<Update>) => Effect.Effect<ReadonlyArray<Update>, StoreError>
    /** After handling; a crash before it replays those updates, which the handlers make harmless. */
    readonly markHandled: (updateIds: ReadonlyArray<number>) => Effect.Effect<void, StoreError>
    /** Recorded but not yet handled (a previous run stopped in between), in order. */
    readonly unhandled: Effect.Effect<ReadonlyArray<Update>, StoreError>
    readonly lastRecorded: Effect.Effect<Option.Option<number>, StoreError>
    /** Claims the chats (by chatKey) that no other replica's live claim holds; returns the ones claimed. */
    readonly claimChats: (
      chatIds: ReadonlyArray<number>,
      claim: Claim,
      now: number
    ) => Effect.Effect<ReadonlyArray<number>, StoreError>
    /**
     * The chat's updates still to handle, in update_id order. Those `inHand` (the caller received them) are not read
     * back from the store.
     */
    readonly unhandledOf: (
      chatId: number,
      inHand: ReadonlyMap<number, Update>
    ) => Effect.Effect<ReadonlyArray<Recorded>, StoreError>
    /** Lets go of the chat if none of its updates is left to handle and the claim is `by`'s. True when let go. */
    readonly finishChat: (chatId: number, by: string) => Effect.Effect<boolean, StoreError>
    /** Up to `limit` chats with updates to handle and no live claim (their replica died, or stopped). */
    readonly orphanChats: (now: number, limit: number) => Effect.Effect<ReadonlyArray<number>, StoreError>
    /** Extends this replica's claims on `chatIds` (the ones it is handling). */
    readonly renewChats: (chatIds: ReadonlyArray<number>, claim: Claim) => Effect.Effect<void, StoreError>
    /** Lets go of every chat `by` claimed. */
    readonly releaseChats: (by: string) => Effect.Effect<void, StoreError>
    /**
     * Deletes the updates handled before `before` (raw updates carry names and texts): they are kept only to
     * recognise a redelivery. The newest update stays, so polling goes on from where it was. Returns how many.
     */
    readonly forgetHandled: (before: number) => Effect.Effect<number, StoreError>
  }
>() {}
