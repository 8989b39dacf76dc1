import { SqlClient, SqlError } from "@effect/sql"
import { Deferred, Effect, Exit, Layer, Queue } from "effect"

import { StoreError } from "../StoreError.js"
import { Transactor } from "../Transactor.js"

/** One caller's unit of work, waiting for the next group commit. */
interface Unit {
  /** Runs the unit as part of the group's transaction; fails if it fails. */
  readonly run: Effect.Effect<void, unknown>
  /** Runs the unit in its own savepoint. */
  readonly attempt: Effect.Effect<void>
  /** Tells the caller its result, once the group's commit is known. */
  readonly settle: (commit: Exit.Exit<void, StoreError>) => Effect.Effect<boolean>
}

const MAX_UNITS_PER_COMMIT = 500
const toStoreError = (cause: unknown) => new StoreError({ operation: "transaction", cause })

/** The effect in a transaction of its own. */
const onItsOwn = (sql: SqlClient.SqlClient) => <A, E>(effect: Effect.Effect<A, E>) =>
  sql.withTransaction(effect).pipe(
    Effect.mapError((e) => (e instanceof SqlError.SqlError ? toStoreError(e) : (e as E)))
  )
/** After pending I/O callbacks have run (setImmediate); not a timer, so it needs no clock (and no TestClock). */
const nextTurnOfEventLoop = Effect.async<void>((resume) => {
  const turn = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(turn))
})

/**
 * Group commit: units that arrive while a commit is under way are committed together; a failing unit rolls
 * back alone (the group is then run again, each unit in its own savepoint). With `synchronous=FULL` a commit
 * costs one fsync, so a burst of 100 leads costs a few fsyncs instead of 100. A caller hears back only after
 * its unit is on disk; one interrupted while it waits does not withdraw its unit (the callers' writes are
 * idempotent or checked). A unit may run twice (rolled back in between): it holds store writes only.
 */
export const SqlTransactor = Layer.scoped(
  Transactor,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const pending = yield* Queue.unbounded<Unit>()
    const alone = onItsOwn(sql)

    // Each unit alone in a savepoint, so a failing one rolls back alone.
    const commitEachOnItsOwn = (units: ReadonlyArray<Unit>) =>
      sql.withTransaction(Effect.forEach(units, (unit) => unit.attempt, { discard: true })).pipe(
        Effect.mapError(toStoreError)
      )
    // Optimistic first: the group with no savepoints (two statements fewer a unit; `npm run bench -- --store`
    // measures a group of 25); units almost never fail, and if one does the group is rolled back and run again.
    const commitGroup = (units: ReadonlyArray<Unit>) =>
      sql.withTransaction(Effect.forEach(units, (unit) => unit.run, { discard: true })).pipe(
        Effect.catchAllCause(() => commitEachOnItsOwn(units)),
        Effect.exit,
        Effect.flatMap((commit) => Effect.forEach(units, (unit) => unit.settle(commit), { discard: true }))
      )
    yield* Queue.takeBetween(pending, 1, MAX_UNITS_PER_COMMIT).pipe(
      // Lingering for one turn of the event loop lets the callers of a burst that are already under way (their
      // I/O done) reach the queue and share this commit.
      Effect.flatMap((first) =>
        nextTurnOfEventLoop.pipe(
          Effect.zipRight(Queue.takeUpTo(pending, MAX_UNITS_PER_COMMIT - first.length)),
          Effect.map((more) => [...first, ...more])
        )
      ),
      Effect.flatMap(commitGroup),
      Effect.forever,
      Effect.forkScoped
    )

    const atomically = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<A, E | StoreError>()
        let result: Exit.Exit<A, E | StoreError> = Exit.die("the unit did not run")
        yield* Queue.offer(pending, {
          run: effect.pipe(Effect.map((a) => void (result = Exit.succeed(a)))),
          attempt: alone(effect).pipe(
            Effect.exit,
            Effect.map((exit) => void (result = exit))
          ),
          settle: (commit) => Deferred.done(done, Exit.isFailure(commit) ? Exit.failCause(commit.cause) : result)
        })
        return yield* Deferred.await(done)
      })
    return Transactor.of({
      atomically,
      promptly: sql.onDialectOrElse({ pg: () => alone, orElse: () => atomically })
    })
  })
)
