import { join, resolve } from "node:path"

import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Config, Context, Effect } from "effect"

import { StartupError } from "../../config/StartupError.js"
import { runMigrations } from "../sql/migrations.js"
import { makeDirectories } from "./makeDirectories.js"

/** Where the store lives, and the variable that said so (start-up errors name it). */
export interface StoreLocation {
  readonly filename: string
  readonly variable: "DATA_DIR" | "DATABASE_URL"
}

/** `DATABASE_URL=sqlite:<path>` wins; else `<DATA_DIR>/leads.sqlite` (DATA_DIR defaults to ./data). */
export const storeLocation = Effect.gen(function*() {
  const url = yield* Config.option(Config.string("DATABASE_URL"))
  if (url._tag === "Some") {
    if (!url.value.startsWith("sqlite:")) {
      return yield* new StartupError({
        message: `DATABASE_URL must be sqlite:<path> or postgres://… (got a ${url.value.split(":")[0]}: URL)`
      })
    }
    const path = url.value.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return { filename: path === ":memory:" ? path : resolve(path), variable: "DATABASE_URL" } satisfies StoreLocation
  }
  const dir = yield* Config.string("DATA_DIR").pipe(Config.withDefault("./data"))
  return { filename: resolve(join(dir, "leads.sqlite")), variable: "DATA_DIR" } satisfies StoreLocation
})

const reasonOf = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
}

const isBusy = (cause: Cause.Cause<unknown>): boolean => {
  const error = Cause.squash(cause)
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined
  return typeof code === "string" && code.startsWith("SQLITE_BUSY")
}

/**
 * One bot per store: an exclusive SQLite lock on `<file>.lock`, held for the bot's lifetime. The operating system
 * drops it when the process ends, however it ends, so a crash cannot leave it behind. The store itself stays
 * readable by other processes (a backup while the bot runs).
 */
export const lockStore = (filename: string) =>
  Effect.gen(function*() {
    const lock = yield* SqliteClient.make({ filename: `${filename}.lock`, disableWAL: true })
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
            : `cannot lock the lead store ${filename}: ${reasonOf(cause)}`
        })
      )
    )
  )

/**
 * Opens the SQLite file: WAL with synchronous=FULL (a confirmed lead survives a power cut), then migrations.
 * Anything wrong with the file or its folder stops start-up with one line naming it.
 */
export const openDatabase = (filename: string) =>
  Effect.gen(function*() {
    const sql = yield* SqliteClient.make({ filename })
    yield* sql`PRAGMA synchronous = FULL`
    yield* sql`PRAGMA foreign_keys = ON`
    yield* sql`PRAGMA busy_timeout = 5000`
    yield* runMigrations.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    return sql
  }).pipe(
    Effect.provide(Reactivity.layer),
    Effect.catchAllCause((cause) =>
      Effect.fail(new StartupError({ message: `cannot open the lead store ${filename}: ${reasonOf(cause)}` }))
    )
  )

/** Makes the store's folder, locks the store against a second bot, opens it. Errors name the variable. */
export const openStore = ({ filename, variable }: StoreLocation) =>
  Effect.gen(function*() {
    if (filename === ":memory:") return yield* openDatabase(filename)
    yield* makeDirectories(resolve(filename, "..")).pipe(
      Effect.mapError((reason) =>
        new StartupError({ message: `${variable}: cannot make the folder of the lead store ${filename}: ${reason}` })
      )
    )
    yield* lockStore(filename)
    return yield* openDatabase(filename)
  }).pipe(
    Effect.mapError((
      e
    ) => (e.message.startsWith(variable) ? e : new StartupError({ message: `${variable}: ${e.message}` })))
  )

/** The embedded store as SqlClient, open for the app's lifetime. */
export const sqliteContext = Effect.gen(function*() {
  const location = yield* storeLocation
  const sql = yield* openStore(location)
  yield* Effect.logInfo(`lead store: ${location.filename}`)
  return Context.make(SqlClient.SqlClient, sql)
})
