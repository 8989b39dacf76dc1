import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { StoreError } from "./StoreError.js"

/** Runs store writes as one unit: all of them are kept, or none (a lead and the person's pointer to it). */
export class Transactor extends Context.Tag("Transactor")<
  Transactor,
  { readonly atomically: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StoreError, R> }
>() {}

/** In memory there is nothing to roll back to: the writes simply run in order. */
export const MemoryTransactor = Layer.succeed(Transactor, Transactor.of({ atomically: (effect) => effect }))

export const SqlTransactor = Layer.effect(
  Transactor,
  Effect.map(SqlClient.SqlClient, (sql) =>
    Transactor.of({
      atomically: (effect) =>
        sql.withTransaction(effect).pipe(
          Effect.catchTag("SqlError", (cause) => Effect.fail(new StoreError({ operation: "transaction", cause })))
        )
    }))
)
