import type { Effect } from "effect"
import type { Composer, Context } from "grammy"

/**
 * grammY only chooses what to do with an update: a handler records the Effect chosen for it, and the update's own
 * fiber runs that Effect after routing (no second fiber and promise per update started from inside middleware).
 */
export type Choose = (ctx: Context, name: string, program: Effect.Effect<unknown, unknown>) => void

/** A feature's routes (grammY's structuring guide: a Composer per feature), each handler choosing an Effect. */
export type Routes = (choose: Choose) => Composer<Context>
