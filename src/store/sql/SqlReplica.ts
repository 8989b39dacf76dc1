import { randomUUID } from "node:crypto"
import { hostname } from "node:os"

import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"

import { Replica } from "../Replica.js"

/**
 * PostgreSQL is shared by every replica: each process claims under a name of its own (host, pid, and a random
 * part). A SQLite file is locked by one process: it is the one local replica.
 */
export const SqlReplica = Layer.effect(
  Replica,
  Effect.map(SqlClient.SqlClient, (sql) =>
    sql.onDialectOrElse({
      pg: () => ({ id: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, shared: true }),
      orElse: () => ({ id: "local", shared: false })
    }))
)
