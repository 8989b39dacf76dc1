import { randomUUID } from "node:crypto"

import { Reactivity } from "@effect/experimental"
import { PgClient } from "@effect/sql-pg"
import { Effect, Exit, Redacted, Scope } from "effect"

/**
 * A new, empty database on a PostgreSQL server (whose URL names any database there), dropped when the scope
 * closes: its URL. The tests and the benchmark take one each, so no run sees another's leads.
 */
export const newDatabase = (serverUrl: string) =>
  Effect.gen(function*() {
    const admin = yield* PgClient.make({ url: Redacted.make(serverUrl) })
    const name = `leadbot_${randomUUID().replace(/-/g, "").slice(0, 16)}`
    yield* admin`CREATE DATABASE ${admin(name)}`
    yield* Effect.addFinalizer(() => admin`DROP DATABASE ${admin(name)} WITH (FORCE)`.pipe(Effect.orDie))
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    return url.href
  }).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

/** The same outside Effect: the URL, and how to drop the database afterwards. */
export const createDatabase = async (
  serverUrl: string
): Promise<{ readonly url: string; readonly drop: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  const url = await Effect.runPromise(Scope.extend(newDatabase(serverUrl), scope))
  return { url, drop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
