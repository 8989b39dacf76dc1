import { existsSync } from "node:fs"
import { dirname, resolve } from "node:path"

import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { Cause, Context, Effect, Option, Schema } from "effect"

import type { StoreSetting } from "../../config/AppConfig.js"
import { StartupError } from "../../config/StartupError.js"
import type { Opener } from "../Opener.js"
import { runMigrations } from "../sql/migrations/index.js"
import { makeDirectories } from "./makeDirectories.js"
import { makeSqlite } from "./SqliteDriver.js"
import { SqliteHandle } from "./SqliteHandle.js"

/** Where the store lives, and the variable that said so (start-up errors name it). */
export type StoreLocation = Omit<Extract<StoreSetting, { _tag: "Sqlite" }>, "_tag">

const reasonOf = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
}

/**
 * SQLite's "unable to open database file" says no more: most often (a bind mount made by root) the folder is not
 * the bot's to write. Says whose it must be.
 */
const withHint = (reason: string, filename: string): string =>
  /unable to open database file|SQLITE_CANTOPEN|EACCES|permission denied/i.test(reason)
    ? `${reason}: the folder ${dirname(filename)} must exist and be writable by the bot's user (uid ${
      process.getuid?.() ?? "?"
    } here; in the container image, uid 1000, "node")`
    : reason

/** What better-sqlite3's error (the cause of @effect/sql's) says went wrong. */
const SqliteErrorCode = Schema.Struct({ code: Schema.String })

const isBusy = (cause: Cause.Cause<unknown>): boolean => {
  const error = Cause.squash(cause)
  const driverError = Schema.decodeUnknownOption(SqliteErrorCode)(error instanceof Error ? error.cause : undefined)
  return Option.exists(driverError, ({ code }) => code.startsWith("SQLITE_BUSY"))
}

/**
 * One bot per store: an exclusive SQLite lock on `<file>.lock`, held for the bot's lifetime. The operating system
 * drops it when the process ends, however it ends, so a crash cannot leave it behind. The store itself stays
 * readable by other processes (a backup while the bot runs).
 */
export const lockStore = (filename: string) =>
  Effect.gen(function*() {
    const { sql: lock } = yield* makeSqlite(`${filename}.lock`, { wal: false })
    yield* lock`PRAGMA busy_timeout = 0`
    yield* lock`PRAGMA locking_mode = EXCLUSIVE`
    yield* lock`BEGIN EXCLUSIVE`
  }).pipe(
    Effect.provide(Reactivity.layer),
    Effect.catchAllCause((cause) =>
      Effect.fail(
        new StartupError({
          message: isBusy(cause)
            ? `the lead store ${filename} is in use by another running bot (one bot per store: stop the other first)`
            : `cannot lock the lead store ${filename}: ${withHint(reasonOf(cause), filename)}`
        })
      )
    )
  )

/**
 * Opens the SQLite file: WAL with synchronous=FULL (a confirmed lead survives a power cut), then migrations.
 * Anything wrong with the file or its folder stops start-up with one line naming it.
 */
export const openConnection = (filename: string) =>
  Effect.gen(function*() {
    const { handle, sql } = yield* makeSqlite(filename)
    yield* sql`PRAGMA synchronous = FULL`
    yield* sql`PRAGMA foreign_keys = ON`
    yield* sql`PRAGMA busy_timeout = 5000`
    yield* runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    return { sql, handle } as const
  }).pipe(
    Effect.provide(Reactivity.layer),
    Effect.catchAllCause((cause) =>
      Effect.fail(
        new StartupError({ message: `cannot open the lead store ${filename}: ${withHint(reasonOf(cause), filename)}` })
      )
    )
  )

/** The SQLite file opened as SqlClient (see openConnection). */
export const openDatabase = (filename: string) => Effect.map(openConnection(filename), ({ sql }) => sql)

/** The SQLite file opened as the stores' context: SqlClient, and the connection under it (SqliteHandle). */
export const openDatabaseContext = (filename: string) =>
  Effect.map(openConnection(filename), ({ handle, sql }) => contextOf(sql, handle))

const contextOf = (sql: SqlClient.SqlClient, handle: SqliteHandle["Type"]) =>
  Context.make(SqlClient.SqlClient, sql).pipe(Context.add(SqliteHandle, handle))

/** Makes the store's folder, locks the store against a second bot, opens it. Errors name the variable. */
export const openStore = ({ filename, variable }: StoreLocation) =>
  Effect.gen(function*() {
    if (filename === ":memory:") return yield* openConnection(filename)
    yield* makeDirectories(resolve(filename, "..")).pipe(
      Effect.mapError((reason) =>
        new StartupError({ message: `${variable}: cannot make the folder of the lead store ${filename}: ${reason}` })
      )
    )
    yield* lockStore(filename)
    return yield* openConnection(filename)
  }).pipe(
    Effect.mapError((
      e
    ) => (e.message.startsWith(variable) ? e : new StartupError({ message: `${variable}: ${e.message}` })))
  )

/**
 * The embedded store as SqlClient, open until the scope closes: for the bot, made if new and locked; for a
 * maintenance script, only if it exists, and not locked (see Opener).
 */
export const sqliteContext = (location: StoreLocation, opener: Opener) =>
  Effect.gen(function*() {
    if (opener === "maintenance" && location.filename !== ":memory:" && !existsSync(location.filename)) {
      return yield* new StartupError({
        message: `${location.variable}: no lead store at ${location.filename} (set DATA_DIR or DATABASE_URL)`
      })
    }
    const { handle, sql } = yield* (opener === "bot" ? openStore(location) : openConnection(location.filename))
    return contextOf(sql, handle)
  })
