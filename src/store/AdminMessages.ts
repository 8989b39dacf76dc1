import { Context, type Effect, type Option } from "effect"

import type { AdminMessage } from "../lead/Lead.js"
import type { StoreError } from "./StoreError.js"

/** Whom a message of the admin chat concerns, as far as the store knows. */
export type Concerning =
  | {
    readonly _tag: "Person"
    readonly telegramId: number
    /** The lead the message is about, when it was about one. */
    readonly leadId: Option.Option<string>
  }
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
  /**
   * The person's data is deleted: which message concerned them goes, that it concerned someone forgotten stays (a
   * manager's reply to it is told so, and nothing is sent). Returns those messages (to edit them).
   */
  readonly forgetPerson: (
    telegramId: number
  ) => Effect.Effect<ReadonlyArray<{ readonly chatId: number; readonly messageId: number }>, StoreError>
}>() {}
