import { Context, type Effect, type Option } from "effect"

import type { AdminMessage } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** Whom a message of the admin chat concerns, as far as the store knows. */
export type Concerning =
  | { readonly _tag: "Person"; readonly telegramId: number }
  /** It was about a person whose data was deleted on request. */
  | { readonly _tag: "Forgotten" }

/**
 * Every admin-chat message the bot posts about a person, with whom it concerns: the only way a manager's reply
 * reaches a person (nothing a person sends can route a message anywhere). Survives restarts; shared by replicas.
 */
export class AdminMessages extends Context.Tag("AdminMessages")<AdminMessages, {
  readonly record: (messages: ReadonlyArray<AdminMessage>) => Effect.Effect<void, StoreError>
  readonly concerning: (
    chatId: number,
    messageId: number
  ) => Effect.Effect<Option.Option<Concerning>, StoreError>
}>() {}
