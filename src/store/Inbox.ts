import { Context, type Effect, type Option } from "effect"
import type { Update } from "grammy/types"

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
     * Records the updates not seen before and returns them (one seen before is handled where it was first
     * recorded). Run it through the Transactor: concurrent webhook requests then share a commit.
     */
    readonly record: (updates: ReadonlyArray<Update>) => Effect.Effect<ReadonlyArray<Update>, StoreError>
    /** After handling; a crash before it replays those updates, which the handlers make harmless. */
    readonly markHandled: (updateIds: ReadonlyArray<number>) => Effect.Effect<void, StoreError>
    /** Recorded but not yet handled (a previous run stopped in between), in order. */
    readonly unhandled: Effect.Effect<ReadonlyArray<Update>, StoreError>
    readonly lastRecorded: Effect.Effect<Option.Option<number>, StoreError>
    /**
     * The chat's updates still to handle, in update_id order. Those `inHand` (the caller received them) are not read
     * back from the store.
     */
    readonly unhandledOf: (
      chatId: number,
      inHand: ReadonlyMap<number, Update>
    ) => Effect.Effect<ReadonlyArray<Recorded>, StoreError>
    /**
     * Up to `limit` chats with updates to handle that no live lease holds (on a shared store: their replica died, or
     * stopped; on any store: what the previous run left).
     */
    readonly chatsWithWork: (limit: number) => Effect.Effect<ReadonlyArray<number>, StoreError>
    /**
     * Deletes the updates handled before `before` (raw updates carry names and texts): they are kept only to
     * recognise a redelivery. The newest update stays, so polling goes on from where it was. Returns how many.
     */
    readonly forgetHandled: (before: number) => Effect.Effect<number, StoreError>
    /**
     * Deletes the raw updates the person sent (or that were sent in their private chat); how many. Handled or not:
     * what a person asked to be forgotten is not handled later.
     */
    readonly forgetPerson: (telegramId: number) => Effect.Effect<number, StoreError>
  }
>() {}
