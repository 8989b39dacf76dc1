import { hostname } from "node:os"

import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Layer, Schema } from "effect"

import { nextId } from "../../lead/Ids.js"
import { ExclusiveLeases, type LeaseKind, Leases } from "../Leases.js"
import { storeOp } from "./rows.js"

/** The database's clock, in ms since the epoch: lease times never come from a replica's own clock. */
export const databaseNowMillis = (sql: SqlClient.SqlClient) =>
  sql.literal(sql.onDialectOrElse({
    pg: () => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
    orElse: () => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
  }))

/** A condition: no live lease of `kind` holds the key that `keyColumn` (a column of the query it is in) names. */
export const unleased = (sql: SqlClient.SqlClient, kind: LeaseKind, keyColumn: string) =>
  sql`NOT EXISTS (SELECT 1 FROM leases l WHERE l.kind = ${kind}
    AND l.lease_key = CAST(${sql.literal(keyColumn)} AS TEXT) AND l.until >= ${databaseNowMillis(sql)})`

const Key = Schema.Struct({ lease_key: Schema.String })

/**
 * Leases on a store several processes share (PostgreSQL): a row a lease, in one table for chats and leads, its
 * times from the database's clock. A claim is an upsert that takes a key nobody holds, a lapsed lease, or one of
 * this holder's own; two replicas claiming at once meet on the primary key, and the second finds the first's lease
 * live. Each process holds under a name of its own (host, pid, and a random part).
 */
export const SqlLeases = Layer.effect(
  Leases,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const holder = `${hostname()}:${process.pid}:${(yield* nextId).slice(0, 8)}`
    const now = databaseNowMillis(sql)
    const text = (value: string) => sql`CAST(${value} AS TEXT)`
    // In one order everywhere: two transactions claiming overlapping keys then wait for each other, never in a cycle.
    const keyList = (keys: ReadonlyArray<string>): Statement.Fragment =>
      sql.join(" UNION ALL ", false)([...new Set(keys)].sort().map((key) => sql`SELECT ${text(key)} AS lease_key`))

    return Leases.of({
      holder,
      exclusive: false,
      // `WHERE true`: SQLite needs a WHERE to tell an upsert's ON CONFLICT from a join's ON.
      claim: (kind, keys, leaseMillis) =>
        keys.length === 0 ? Effect.succeed([]) : sql`INSERT INTO leases (kind, lease_key, holder, until)
            SELECT ${text(kind)}, k.lease_key, ${text(holder)}, ${now} + ${leaseMillis} FROM (${keyList(keys)}) k
            WHERE true
            ON CONFLICT (kind, lease_key) DO UPDATE SET holder = excluded.holder, until = excluded.until
            WHERE leases.holder = excluded.holder OR leases.until < ${now}
            RETURNING lease_key`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(Key))),
          Effect.map((rows) => rows.map((r) => r.lease_key)),
          storeOp("claimLeases")
        ),
      renew: (kind, keys, leaseMillis) =>
        keys.length === 0 ? Effect.void : sql`UPDATE leases SET until = ${now} + ${leaseMillis}
            WHERE kind = ${kind} AND holder = ${holder} AND ${sql.in("lease_key", keys)}`.pipe(
          Effect.asVoid,
          storeOp("renewLeases")
        ),
      release: (kind, keys) =>
        keys.length === 0 ? Effect.void : sql`DELETE FROM leases
            WHERE kind = ${kind} AND holder = ${holder} AND ${sql.in("lease_key", keys)}`.pipe(
          Effect.asVoid,
          storeOp("releaseLeases")
        )
    })
  })
)

/** The leases the SQL store holds: shared on PostgreSQL, exclusive on SQLite (its lock gives it to one process). */
export const SqlStoreLeases = Layer.unwrapEffect(
  Effect.map(
    SqlClient.SqlClient,
    (sql): Layer.Layer<Leases, never, SqlClient.SqlClient> =>
      sql.onDialectOrElse({ pg: () => SqlLeases, orElse: () => ExclusiveLeases })
  )
)
