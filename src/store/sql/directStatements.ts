import type { SqlError, Statement } from "@effect/sql"
import { SqlError as SqlErrors } from "@effect/sql"
import { Effect, Option } from "effect"

import { SqliteHandle } from "../sqlite/SqliteHandle.js"

/** Runs a statement: its rows. */
export type RunStatement = <A>(statement: Statement.Statement<A>) => Effect.Effect<ReadonlyArray<A>, SqlError.SqlError>

/**
 * How the store's busiest statements run: on SQLite, the statement's own SQL (compiled from the same template)
 * straight on the connection, one synchronous call in one Effect; on PostgreSQL, as @effect/sql runs it. While a
 * transaction of @effect/sql's is open on SQLite, a statement outside it waits for it as @effect/sql's would.
 */
export const directStatements: Effect.Effect<RunStatement> = Effect.map(
  Effect.serviceOption(SqliteHandle),
  Option.match({
    onNone: (): RunStatement => (statement) => statement,
    onSome: (connection): RunStatement => <A>(statement: Statement.Statement<A>) =>
      Effect.suspend(() =>
        connection.inTransaction() && !connection.syncGroupOpen
          ? statement
          : Effect.try({
            try: () => {
              const [sql, params] = statement.compile()
              return connection.execute(sql, params) as ReadonlyArray<A>
            },
            catch: (cause) => new SqlErrors.SqlError({ cause, message: "Failed to execute statement" })
          })
      )
  })
)
