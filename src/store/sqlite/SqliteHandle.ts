import { Context } from "effect"

/**
 * The connection under the store's SqlClient, for work that runs as one synchronous call (a group commit, a
 * statement: see directStatements) instead of @effect/sql's per-statement steps (a span, a scope, the connection's
 * permit: some ninety runtime operations a statement).
 */
export interface SqliteConnection {
  /** Runs SQL at once: a reader's rows, a writer's none. Throws the driver's error. */
  readonly execute: (sql: string, params: ReadonlyArray<unknown>) => ReadonlyArray<object>
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: () => boolean
  /**
   * True while a group commit runs its units synchronously in a transaction of its own (SqlTransactor): their
   * statements are part of it. Any other open transaction is @effect/sql's, and a statement then waits for it.
   */
  syncGroupOpen: boolean
}
export class SqliteHandle extends Context.Tag("SqliteHandle")<SqliteHandle, SqliteConnection>() {}
