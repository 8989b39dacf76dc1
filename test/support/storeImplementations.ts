import { join } from "node:path"

import { type SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"

import { makeTempDir } from "../../sim/tempDirs.js"
import { openDatabaseContext } from "../../src/store/sqlite/Database.js"
import { SqlStores, StoresTest } from "../../src/store/Stores.js"
import { freshPostgres, postgresMissing } from "./postgres.js"

export const tempStoreFile = () => join(makeTempDir("store"), "leads.sqlite")

/** The SQLite file as the bot opens it: SqlClient and the connection under it (its statements run directly). */
export const sqliteDatabase = (filename: string) =>
  Layer.scopedContext(openDatabaseContext(filename).pipe(Effect.orDie))

const storesOn = (db: Layer.Layer<SqlClient.SqlClient>) => SqlStores.pipe(Layer.provideMerge(db))

/** The SQL stores, on a fresh SQLite file, and on a fresh PostgreSQL database where there is a server. */
export const sqlBackends = [
  { name: "SQLite", stores: () => storesOn(sqliteDatabase(tempStoreFile())), skipped: undefined },
  { name: "PostgreSQL", stores: () => storesOn(freshPostgres), skipped: postgresMissing }
] as const

/** Every implementation of the store ports: the test doubles in memory, and the SQL stores. */
export const storeImplementations = [
  { name: "memory", stores: () => StoresTest, skipped: undefined },
  ...sqlBackends
] as const
