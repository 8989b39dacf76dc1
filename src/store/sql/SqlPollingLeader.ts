import { SqlClient } from "@effect/sql"
import { Data, Effect, ExecutionStrategy, Exit, Layer, Schedule, Scope } from "effect"

import { PollingLeader } from "../PollingLeader.js"

/** Any key of our own for the advisory lock the polling replica holds. */
const POLLING_LOCK = 4_710_231_022
const TRY_EVERY = "2 seconds"
const CHECK_EVERY = "2 seconds"
const SESSION_IDLE_LIMIT = "8s"

class StandingBy extends Data.TaggedError("StandingBy") {}

/**
 * On PostgreSQL the poller holds a session-level advisory lock on a connection of its own: when its process
 * dies, the server closes the session and lets go of the lock (if the machine vanished, once the session has been
 * idle for 8 s), and a standby that tries every 2 s takes it. The connection is checked every 2 s: if it breaks, the
 * lock is gone and so is the lead. A SQLite store is one
 * process's: it always leads.
 */
export const SqlPollingLeader = Layer.effect(
  PollingLeader,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const lead = Effect.gen(function*() {
      const outer = yield* Effect.scope
      let saidStandingBy = false
      const attempt = Effect.gen(function*() {
        const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
        return yield* Effect.gen(function*() {
          const connection = yield* sql.reserve
          const [row] = yield* connection.execute(
            "SELECT pg_try_advisory_lock($1) AS locked",
            [POLLING_LOCK],
            undefined
          )
          if (row?.locked !== true) return yield* Effect.fail(new StandingBy())
          yield* Effect.addFinalizer(() =>
            connection.execute("SELECT pg_advisory_unlock($1)", [POLLING_LOCK], undefined).pipe(
              Effect.zipRight(connection.execute("RESET idle_session_timeout", [], undefined)),
              Effect.ignore
            )
          )
          // A machine that vanishes closes no connection: the server ends the session (and so the lock) once it
          // has been idle this long, while a live leader's checks keep it busy.
          yield* connection.execute(`SET idle_session_timeout = '${SESSION_IDLE_LIMIT}'`, [], undefined)
          const alive = connection.execute("SELECT 1", [], undefined).pipe(Effect.timeout("5 seconds"))
          return alive.pipe(Effect.repeat(Schedule.spaced(CHECK_EVERY)), Effect.ignore)
        }).pipe(
          Scope.extend(scope),
          Effect.onError(() => Scope.close(scope, Exit.void))
        )
      })
      return yield* attempt.pipe(
        Effect.tapError((e) => {
          if (e._tag === "StandingBy") {
            if (saidStandingBy) return Effect.void
            saidStandingBy = true
            return Effect.logInfo("another replica polls Telegram; standing by to take over")
          }
          return Effect.logWarning(`cannot take the polling lead: ${e.message}`)
        }),
        Effect.retry(Schedule.spaced(TRY_EVERY)),
        Effect.orDie // never: it tries until it leads
      )
    })
    return sql.onDialectOrElse({
      pg: () => ({ lead }),
      orElse: () => ({ lead: Effect.succeed(Effect.never) })
    })
  })
)
