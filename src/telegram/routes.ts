import type { Effect } from "effect"
import type { Composer, Context } from "grammy"

/** What a route chose for an update: the program to run, and its name for the logs. */
export interface Route {
  readonly name: string
  readonly program: Effect.Effect<unknown, unknown>
}

/**
 * The context routes see (a grammY context flavor): the route chosen for the update is kept on it, for the router
 * to run after routing, in the update's own fiber (no fiber and promise per update started inside middleware).
 */
export type RoutingContext = Context & { route?: Route }

/** A grammY handler whose route is the program `choose` returns for the update. */
export const route =
  <C extends RoutingContext>(name: string, choose: (ctx: C) => Effect.Effect<unknown, unknown>) => (ctx: C): void => {
    ctx.route = { name, program: choose(ctx) }
  }

/** A feature's routes (grammY's structuring guide: a Composer per feature). */
export type Routes = Composer<RoutingContext>
