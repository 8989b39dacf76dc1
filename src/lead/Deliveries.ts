import { Context, type Effect } from "effect"

/**
 * The delivery worker's door, for the features: a lead has work (it was recorded, a follow-up came, a manager marked
 * it). A port, so that the features need not know the worker (which itself posts to the managers' chat).
 */
export class Deliveries extends Context.Tag("Deliveries")<Deliveries, {
  /** Starts (or continues) the lead's delivery once people waiting for an answer have it; returns at once. */
  readonly schedule: (leadId: string) => Effect.Effect<void>
  /** Starts (or continues) sending the person's relayed messages, in order; returns at once. */
  readonly scheduleRelays: (telegramId: number) => Effect.Effect<void>
  /** Starts cleaning the managers' chats after a person's data was deleted; returns at once. */
  readonly scheduleErasure: (erasureId: string) => Effect.Effect<void>
}>() {}
