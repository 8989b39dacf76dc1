import { Context, type Effect, type Option } from "effect"

import type { StartEvent } from "../lead/Campaign.js"
import type { StoreError } from "./StoreError.js"

/** People's `/start`s: the campaign in force at a tap (last touch), and who opened which link for `/stats`. */
export class StartEvents extends Context.Tag("StartEvents")<StartEvents, {
  readonly record: (event: StartEvent) => Effect.Effect<void, StoreError>
  /** The campaign of the person's latest `/start` at or after `since`; none when that one named none. */
  readonly campaignOf: (telegramId: number, since: number) => Effect.Effect<Option.Option<string>, StoreError>
  /** Deletes the events before `before` (STATS_RETENTION_DAYS); how many. */
  readonly forgetBefore: (before: number) => Effect.Effect<number, StoreError>
  /** How many of the person's /starts are kept (what /mydata lists). */
  readonly countOf: (telegramId: number) => Effect.Effect<number, StoreError>
  /** Deletes the person's /starts; how many. */
  readonly forgetPerson: (telegramId: number) => Effect.Effect<number, StoreError>
}>() {}
