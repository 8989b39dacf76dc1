import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Cause, Context, Effect, Redacted } from "effect"
import pg from "pg"

import { safeDatabaseUrl } from "../../config/databaseUrl.js"
import { StartupError } from "../../config/StartupError.js"
import { runMigrations } from "../sql/migrations/index.js"

/**
 * BIGINT (int8) columns as numbers: Telegram ids and times in ms fit a double exactly. The driver's own per-client
 * overrides, so the module's global parsers stay as they are.
 */
const int8AsNumber = new pg.TypeOverrides()
int8AsNumber.setTypeParser(pg.types.builtins.INT8, Number)

/** Any key of our own for the advisory lock that keeps replicas starting together from migrating at once. */
const MIGRATIONS_LOCK = 4_710_231_021

/**
 * Connects to PostgreSQL and runs the migrations. Replicas that start together are safe: the Migrator locks its
 * table while it runs; only its table's creation could race, so that is done first under an advisory lock that
 * lasts the transaction (a replica that dies lets go), with the definition the Migrator uses. Anything wrong stops
 * start-up with one line naming DATABASE_URL, password hidden. A signal meanwhile stops start-up at once: the
 * connect (which the driver does not let go of before its timeout) is left to finish on its own.
 */
export const openPostgres = (url: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const sql = yield* PgClient.make({ url, types: int8AsNumber, connectTimeout: "10 seconds", maxConnections: 10 })
    yield* sql.withTransaction(
      sql`SELECT pg_advisory_xact_lock(${MIGRATIONS_LOCK})`.pipe(
        Effect.zipRight(sql`CREATE TABLE IF NOT EXISTS effect_sql_migrations (
          migration_id integer primary key,
          created_at timestamp with time zone not null default now(),
          name text not null
        )`)
      )
    )
    yield* runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    return sql
  }).pipe(
    Effect.disconnect,
    Effect.provide(Reactivity.layer),
    Effect.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      const reason = error instanceof Error
        ? (error.cause instanceof Error ? error.cause.message : error.message)
        : String(error)
      return Effect.fail(
        new StartupError({
          message: `DATABASE_URL=${safeDatabaseUrl(Redacted.value(url))}: cannot open the lead store: ${reason}`
        })
      )
    })
  )

/** PostgreSQL as SqlClient (and PgClient), open for the app's lifetime. */
export const postgresContext = (url: Redacted.Redacted<string>) =>
  Effect.map(
    openPostgres(url),
    (sql) => Context.make(PgClient.PgClient, sql).pipe(Context.add(SqlClient.SqlClient, sql))
  )
