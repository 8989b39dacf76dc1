import type { SqlClient } from "@effect/sql"

/** A 64-bit integer column: SQLite's INTEGER is one, PostgreSQL's is BIGINT (Telegram ids and times in ms are). */
export const integer = (sql: SqlClient.SqlClient) =>
  sql.literal(sql.onDialectOrElse({ pg: () => "BIGINT", orElse: () => "INTEGER" }))

/**
 * A table's first column on PostgreSQL, which has no rowid to keep rows in the order they came: an id does. On
 * SQLite, nothing (its rowid does).
 */
export const pgRowId = (sql: SqlClient.SqlClient) =>
  sql.literal(sql.onDialectOrElse({ pg: () => "id BIGSERIAL PRIMARY KEY,", orElse: () => "" }))
