import { Reactivity } from "@effect/experimental"
import { Migrator, SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Config, Context, Effect, Layer } from "effect"
import { mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { StartupError } from "../../config/StartupError.js"
import { migrations } from "./migrations.js"

/** `DATABASE_URL=sqlite:<path>` wins; else `<DATA_DIR>/leads.sqlite` (DATA_DIR defaults to ./data). */
export const databaseFile = Effect.gen(function* () {
  const url = yield* Config.option(Config.string("DATABASE_URL"))
  if (url._tag === "Some") {
    if (!url.value.startsWith("sqlite:")) {
      return yield* new StartupError({ message: `DATABASE_URL must look like sqlite:<path> (got a ${url.value.split(":")[0]}: URL)` })
    }
    const path = url.value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return path === ":memory:" ? path : resolve(path)
  }
  const dir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./data"))
  return resolve(join(dir, "leads.sqlite"))
})

export const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations) })

/**
 * Opens the SQLite file: WAL with synchronous=FULL (a confirmed lead survives a power cut), then migrations.
 * Anything wrong with the file or its folder stops start-up with one line naming it.
 */
export const openDatabase = (filename: string) =>
  Effect.gen(function* () {
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true })
    const sql = yield* SqliteClient.make({ filename })
    yield* sql`PRAGMA synchronous = FULL`
    yield* sql`PRAGMA foreign_keys = ON`
    yield* sql`PRAGMA busy_timeout = 5000`
    yield* runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    return sql
  }).pipe(
    Effect.provide(Reactivity.layer),
    Effect.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
      return Effect.fail(new StartupError({ message: `cannot open the lead store ${filename}: ${reason}` }))
    })
  )

/** The embedded store as SqlClient (and SqliteClient), open for the app's lifetime. */
export const DatabaseLive = Layer.scopedContext(
  Effect.gen(function* () {
    const filename = yield* databaseFile
    const sql = yield* openDatabase(filename)
    yield* Effect.logInfo(`lead store: ${filename}`)
    return Context.make(SqliteClient.SqliteClient, sql).pipe(Context.add(SqlClient.SqlClient, sql))
  })
)

