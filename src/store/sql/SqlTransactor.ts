import { SqlClient, SqlError } from "@effect/sql"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Option, Queue, Runtime } from "effect"

import { type SqliteConnection, SqliteHandle } from "../sqlite/SqliteHandle.js"
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

/** How a group went when run synchronously. */
type SyncGroup =
  | { readonly _tag: "Committed" }
  | { readonly _tag: "UnitFailed" }
  /** A unit would have waited (a statement behind another's transaction): its fiber is left to interrupt. */
  | { readonly _tag: "WouldWait"; readonly fiber: Fiber.RuntimeFiber<unknown, unknown> }
  | { readonly _tag: "NotNow" }

/**
 * On SQLite, the group as one synchronous transaction: BEGIN, each unit run to its end at once (their statements go
 * straight to the connection), COMMIT, in one call, so no other fiber runs in between. Rolled back whenever it does
 * not commit; a transaction of @effect/sql's open on the connection leaves it to the general way.
 */
const runGroupSynchronously = (
  connection: SqliteConnection,
  runtime: Runtime.Runtime<never>,
  units: ReadonlyArray<Unit>
): SyncGroup => {
  if (connection.inTransaction()) return { _tag: "NotNow" }
  connection.execute("BEGIN", [])
  connection.syncGroupOpen = true
  let outcome: SyncGroup = { _tag: "Committed" }
  try {
    // One fiber for the group: its units one after another, up to the first that fails.
    const exit = Runtime.runSyncExit(runtime)(Effect.forEach(units, (unit) => unit.run, { discard: true }))
    if (Exit.isFailure(exit)) {
      const defect = Option.getOrUndefined(Cause.dieOption(exit.cause))
      outcome = Runtime.isAsyncFiberException(defect)
        ? { _tag: "WouldWait", fiber: defect.fiber }
        : { _tag: "UnitFailed" }
    }
  } finally {
    connection.syncGroupOpen = false
  }
  if (outcome._tag === "Committed") {
    try {
      connection.execute("COMMIT", [])
      return outcome
    } catch {
      outcome = { _tag: "UnitFailed" }
    }
  }
  if (connection.inTransaction()) connection.execute("ROLLBACK", [])
  return outcome
}
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
    const sqlite = yield* Effect.serviceOption(SqliteHandle)
    const runtime = yield* Effect.runtime<never>()
    const pending = yield* Queue.unbounded<Unit>()
    const alone = onItsOwn(sql)

    // Each unit alone in a savepoint, so a failing one rolls back alone.
    const commitEachOnItsOwn = (units: ReadonlyArray<Unit>) =>
      sql.withTransaction(Effect.forEach(units, (unit) => unit.attempt, { discard: true })).pipe(
        Effect.mapError(toStoreError)
      )
    // Optimistic first: the group with no savepoints (two statements fewer a unit; `npm run bench -- --store`
    // measures a group of 25); units almost never fail, and if one does the group is rolled back and run again.
    const commitTogether = (units: ReadonlyArray<Unit>) =>
      sql.withTransaction(Effect.forEach(units, (unit) => unit.run, { discard: true })).pipe(
        Effect.catchAllCause(() => commitEachOnItsOwn(units))
      )
    const commitOnSqlite = (connection: SqliteConnection) => (units: ReadonlyArray<Unit>) =>
      Effect.try({
        try: () => runGroupSynchronously(connection, runtime, units),
        catch: toStoreError
      }).pipe(
        // The driver failed at BEGIN, COMMIT or ROLLBACK: the general way, which says how it went.
        Effect.orElse(() =>
          Effect.sync(() => connection.inTransaction() && connection.execute("ROLLBACK", [])).pipe(
            Effect.orElseSucceed(() => undefined),
            Effect.as<SyncGroup>({ _tag: "NotNow" })
          )
        ),
        Effect.flatMap((group) => {
          switch (group._tag) {
            case "Committed":
              return Effect.void
            case "UnitFailed":
              return commitEachOnItsOwn(units)
            case "WouldWait":
              return Fiber.interrupt(group.fiber).pipe(Effect.zipRight(commitTogether(units)))
            case "NotNow":
              return commitTogether(units)
          }
        })
      )
    const commit = Option.match(sqlite, { onNone: () => commitTogether, onSome: commitOnSqlite })
    const commitGroup = (units: ReadonlyArray<Unit>) =>
      commit(units).pipe(
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
