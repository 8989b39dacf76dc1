import { Context, type Effect, type Option } from "effect"

import type { StoreError } from "./StoreError.js"

/** A forum admin chat: each person's topic there (everything about them goes into it). */
export class Topics extends Context.Tag("Topics")<Topics, {
  readonly of: (chatId: number, telegramId: number) => Effect.Effect<Option.Option<number>, StoreError>
  /**
   * The person's topic is `threadId`, unless they have one already (made meanwhile, by another replica): returns the
   * topic that stands.
   */
  readonly settle: (chatId: number, telegramId: number, threadId: number) => Effect.Effect<number, StoreError>
  /** Whose topic `threadId` is (a manager's message in it goes to them). */
  readonly personOf: (chatId: number, threadId: number) => Effect.Effect<Option.Option<number>, StoreError>
  /** The topic is gone (a manager deleted it): the person gets a new one with their next message. */
  readonly drop: (chatId: number, telegramId: number, threadId: number) => Effect.Effect<void, StoreError>
  /** Deletes the person's topics (in every managers' chat); which they were. */
  readonly forgetPerson: (
    telegramId: number
  ) => Effect.Effect<ReadonlyArray<{ readonly chatId: number; readonly threadId: number }>, StoreError>
}>() {}
