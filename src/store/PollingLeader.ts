import { Context, Effect, Layer, type Scope } from "effect"

/** Exactly one replica polls Telegram at a time (two would get 409 Conflict); the others stand by. */
export class PollingLeader extends Context.Tag("PollingLeader")<PollingLeader, {
  /**
   * Waits until this replica is the one to poll; it stays so until the scope closes. The effect it returns ends if
   * the lead is lost (the database connection that held it broke): polling must stop then.
   */
  readonly lead: Effect.Effect<Effect.Effect<void>, never, Scope.Scope>
}>() {}

/** A store only this process opens: it is always the one to poll. */
export const AlwaysLeader = Layer.succeed(PollingLeader, { lead: Effect.succeed(Effect.never) })
