import { Clock, Context, Effect, Layer } from "effect"

/**
 * This process among the bot's replicas on one store. A chat's updates and a lead's delivery are claimed by one
 * replica at a time, for a lease it renews while it works; a replica that dies lets its claims lapse.
 */
export class Replica extends Context.Tag("Replica")<Replica, {
  /**
   * The name its claims carry. A store only this process may open (SQLite, memory) names it "local", so what a
   * previous run claimed is its own again after a restart; on PostgreSQL each process has its own.
   */
  readonly id: string
  /** Whether other processes share the store (PostgreSQL): then polling needs a leader. */
  readonly shared: boolean
}>() {}

/** The one replica of a store no other process opens. */
export const LocalReplica = Layer.succeed(Replica, { id: "local", shared: false })

/** A replica's hold on a chat or a lead until `until` (ms since the epoch). */
export interface Claim {
  readonly by: string
  readonly until: number
}

/** A claim by `replicaId` from now for `leaseMillis`, with the time it was taken. */
export const claimFromNow = (replicaId: string, leaseMillis: number) =>
  Clock.currentTimeMillis.pipe(
    Effect.map((now) => ({ now, claim: { by: replicaId, until: now + leaseMillis } satisfies Claim }))
  )
