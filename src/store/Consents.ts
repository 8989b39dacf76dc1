import { Context, type Effect, type Option } from "effect"

import type { ConsentHow, ConsentRecord, ConsentStep, ConsentText } from "../lead/Consent.js"
import type { StoreError } from "./StoreError.js"

/** What the consent log records of an accept. */
export interface NewConsent {
  readonly telegramId: number
  readonly version: string
  readonly textSha256: string
  readonly at: number
  readonly how: ConsentHow
}

/**
 * The consent log (152-FZ: a separate, provable consent) and the step that asks for it. The log is never deleted:
 * forgetting a person adds the withdrawal. The texts shown are kept by hash.
 */
export class Consents extends Context.Tag("Consents")<Consents, {
  /** The person accepted this version, and has not withdrawn since. */
  readonly accepted: (telegramId: number, version: string) => Effect.Effect<boolean, StoreError>
  /** Keeps a text as shown (once per hash; the first showing's time stays). */
  readonly keepText: (text: ConsentText) => Effect.Effect<void, StoreError>
  readonly textOf: (sha256: string) => Effect.Effect<Option.Option<ConsentText>, StoreError>
  /** Records an accept; false when the person's accept of that very text stands already (a repeated tap). */
  readonly accept: (consent: NewConsent) => Effect.Effect<boolean, StoreError>
  /** Every accept of theirs not withdrawn yet is withdrawn at `at`; how many. */
  readonly withdraw: (telegramId: number, at: number) => Effect.Effect<number, StoreError>
  /** The person's history, oldest first. */
  readonly historyOf: (telegramId: number) => Effect.Effect<ReadonlyArray<ConsentRecord>, StoreError>
  /** Every accept at or after `since`, oldest first (an audit's export). */
  readonly log: (since: number) => Effect.Effect<ReadonlyArray<ConsentRecord>, StoreError>
  /** The person is asked: their step (one a person, the latest wins). */
  readonly saveStep: (step: ConsentStep) => Effect.Effect<void, StoreError>
  readonly stepOf: (telegramId: number) => Effect.Effect<Option.Option<ConsentStep>, StoreError>
  /** Deletes their step (forgetting them). */
  readonly dropStep: (telegramId: number) => Effect.Effect<void, StoreError>
  /**
   * Deletes the steps from before `before`; returns the people among them who never accepted (nothing else of
   * theirs may stay: their raw updates go too).
   */
  readonly expireSteps: (before: number) => Effect.Effect<ReadonlyArray<number>, StoreError>
}>() {}
