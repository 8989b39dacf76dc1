import { SqlClient, SqlError, Statement } from "@effect/sql"
import type { Connection } from "@effect/sql/SqlConnection"
import Sqlite from "better-sqlite3"
import { Effect, Scope } from "effect"

import type { SqliteConnection } from "./SqliteHandle.js"

/** Prepared statements kept, by their SQL: @effect/sql-sqlite-node's default size. */
const PREPARED_KEPT = 200

/**
 * @effect/sql's client over one better-sqlite3 connection, as @effect/sql-sqlite-node makes it, with two changes:
 * the handle is kept (SqliteHandle), and prepared statements are kept in a plain Map rather than an Effect Cache (a
 * lookup there is some thirty runtime operations a statement; the driver is synchronous, so a Map does).
 */
export const makeSqlite = (filename: string, options: { readonly wal?: boolean } = {}) =>
  Effect.gen(function*() {
    const db = yield* Effect.try({
      try: () => new Sqlite(filename),
      catch: (cause) => new SqlError.SqlError({ cause, message: "Failed to open the database" })
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => db.close()))
    if (options.wal !== false) db.pragma("journal_mode = WAL")

    const kept = new Map<string, Sqlite.Statement>()
    const prepared = (sql: string) => {
      const found = kept.get(sql)
      if (found !== undefined) return found
      const statement = db.prepare(sql)
      if (kept.size >= PREPARED_KEPT) kept.delete(kept.keys().next().value!)
      kept.set(sql, statement)
      return statement
    }
    const execute = (sql: string, params: ReadonlyArray<unknown>, raw = false): ReadonlyArray<object> => {
      const statement = prepared(sql)
      if (statement.reader) return statement.all(...params) as Array<object>
      const result = statement.run(...params)
      return raw ? (result as unknown as ReadonlyArray<object>) : []
    }
    const run = (sql: string, params: ReadonlyArray<unknown>, raw: boolean) =>
      Effect.try({
        try: () => execute(sql, params, raw),
        catch: (cause) => new SqlError.SqlError({ cause, message: "Failed to execute statement" })
      })
    const values = (sql: string, params: ReadonlyArray<unknown>) =>
      Effect.try({
        try: (): ReadonlyArray<ReadonlyArray<unknown>> => {
          const statement = prepared(sql)
          if (!statement.reader) {
            statement.run(...params)
            return []
          }
          try {
            return statement.raw(true).all(...params) as Array<Array<unknown>>
          } finally {
            statement.raw(false)
          }
        },
        catch: (cause) => new SqlError.SqlError({ cause, message: "Failed to execute statement" })
      })

    const connection: Connection = {
      execute: (sql, params, transformRows) =>
        transformRows ? Effect.map(run(sql, params, false), transformRows) : run(sql, params, false),
      executeRaw: (sql, params) => run(sql, params, true),
      executeValues: values,
      executeUnprepared: (sql, params, transformRows) =>
        transformRows ? Effect.map(run(sql, params ?? [], false), transformRows) : run(sql, params ?? [], false),
      executeStream: () => Effect.dieMessage("executeStream not implemented")
    }

    // One connection: a transaction holds it whole, and a statement outside waits until it ends.
    const semaphore = yield* Effect.makeSemaphore(1)
    const acquirer = semaphore.withPermits(1)(Effect.succeed(connection))
    const transactionAcquirer = Effect.uninterruptibleMask((restore) =>
      Effect.as(
        Effect.zipRight(
          restore(semaphore.take(1)),
          Effect.tap(Effect.scope, (scope) => Scope.addFinalizer(scope, semaphore.release(1)))
        ),
        connection
      )
    )
    const sql = yield* SqlClient.make({
      acquirer,
      transactionAcquirer,
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]]
    })
    const handle: SqliteConnection = {
      execute: (sql, params) => execute(sql, params),
      inTransaction: () => db.inTransaction,
      syncGroupOpen: false
    }
    return { sql, handle } as const
  })
