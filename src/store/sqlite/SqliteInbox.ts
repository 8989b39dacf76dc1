import { SqlClient } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"
import type { Update } from "grammy/types"
import { Inbox } from "../Inbox.js"
import { storeOp } from "./rows.js"

/** A Bot API update: its id checked, every other field kept as Telegram sent it (grammY's filters read them). */
const UpdateJson = Schema.parseJson(
  Schema.Struct({ update_id: Schema.Int }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
const decodePayloads = Schema.decodeUnknown(Schema.Array(Schema.Struct({ payload: UpdateJson })))
const toUpdates = (rows: ReadonlyArray<{ readonly payload: { readonly update_id: number } }>) =>
  rows.map((r) => r.payload as unknown as Update)

export const SqliteInbox = Layer.effect(
  Inbox,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return Inbox.of({
      // One statement for the batch; what is still to handle is read back as ids only: the updates themselves
      // are in hand (Telegram sends an update_id with the same content each time).
      record: (updates) =>
        updates.length === 0 ? Effect.succeed([]) : sql.withTransaction(
          Effect.gen(function* () {
            const now = Date.now()
            yield* sql`INSERT OR IGNORE INTO updates ${sql.insert(updates.map((update) => ({ update_id: update.update_id, payload: JSON.stringify(update), received_at: now })))}`
            return yield* sql<{ readonly update_id: number }>`SELECT update_id FROM updates WHERE handled_at IS NULL
                              AND ${sql.in("update_id", updates.map((u) => u.update_id))} ORDER BY update_id`
          })
        ).pipe(
          Effect.map((rows) => {
            const byId = new Map(updates.map((u) => [u.update_id, u]))
            return rows.map((row) => byId.get(row.update_id)!)
          }),
          storeOp("recordUpdates")
        ),
      markHandled: (updateIds) =>
        updateIds.length === 0 ? Effect.void : sql`UPDATE updates SET handled_at = ${Date.now()} WHERE ${sql.in("update_id", updateIds)}`.pipe(
          Effect.asVoid,
          storeOp("markHandled")
        ),
      unhandled: sql`SELECT payload FROM updates WHERE handled_at IS NULL ORDER BY update_id`.pipe(
        Effect.flatMap(decodePayloads),
        Effect.map(toUpdates),
        storeOp("unhandledUpdates")
      ),
      forgetHandled: (before) =>
        sql`DELETE FROM updates WHERE handled_at < ${before}
            AND update_id < (SELECT MAX(update_id) FROM updates) RETURNING update_id`.pipe(
          Effect.map((rows) => rows.length),
          storeOp("forgetHandled")
        ),
      lastRecorded: sql`SELECT MAX(update_id) AS last FROM updates`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ last: Schema.NullOr(Schema.Number) })))),
        Effect.map((rows) => Option.fromNullable(rows[0]?.last)),
        storeOp("lastRecorded")
      )
    })
  })
)
