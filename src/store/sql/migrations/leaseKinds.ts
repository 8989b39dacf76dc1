import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"

/**
 * The lease kinds the leases table takes from now on (its CHECK): PostgreSQL changes the constraint; SQLite cannot
 * change a CHECK, so the table is made again (it holds nothing on SQLite, whose leases are exclusive; the copy is
 * for the record). For a migration that adds a kind of outgoing work.
 */
export const leaseKinds = (sql: SqlClient.SqlClient, kinds: ReadonlyArray<string>) => {
  const allowed = sql.literal(kinds.map((kind) => `'${kind}'`).join(", "))
  return sql.onDialectOrElse({
    pg: () =>
      sql`ALTER TABLE leases DROP CONSTRAINT leases_kind_check`.pipe(
        Effect.zipRight(sql`ALTER TABLE leases ADD CONSTRAINT leases_kind_check CHECK (kind IN (${allowed}))`)
      ),
    orElse: () =>
      Effect.all([
        sql`CREATE TABLE leases_new (
          kind TEXT NOT NULL CHECK (kind IN (${allowed})),
          lease_key TEXT NOT NULL,
          holder TEXT NOT NULL,
          until ${integer(sql)} NOT NULL,
          PRIMARY KEY (kind, lease_key)
        )`,
        sql`INSERT INTO leases_new SELECT kind, lease_key, holder, until FROM leases`,
        sql`DROP TABLE leases`,
        sql`ALTER TABLE leases_new RENAME TO leases`,
        sql`CREATE INDEX leases_holder ON leases (holder)`
      ], { discard: true })
  })
}
