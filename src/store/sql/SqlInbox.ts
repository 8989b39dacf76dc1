import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import type { Update } from "grammy/types"

import { UpdateJson } from "../../telegram/UpdateJson.js"
import { Inbox } from "../Inbox.js"
import { storeOp } from "./rows.js"

const UpdateId = Schema.Struct({ update_id: Schema.Int })

export const SqlInbox = Layer.effect(
  Inbox,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const stillToHandle = SqlSchema.findAll({
      Request: Schema.Array(Schema.Int),
      Result: UpdateId,
      execute: (ids) =>
        sql`SELECT update_id FROM updates WHERE handled_at IS NULL AND ${sql.in("update_id", ids)} ORDER BY update_id`
    })
    const unhandled = SqlSchema.findAll({
      Request: Schema.Void,
      Result: Schema.Struct({ payload: UpdateJson }),
      execute: () => sql`SELECT payload FROM updates WHERE handled_at IS NULL ORDER BY update_id`
    })
    const last = SqlSchema.single({
      Request: Schema.Void,
      Result: Schema.Struct({ last: Schema.NullOr(Schema.Int) }),
      execute: () => sql`SELECT MAX(update_id) AS last FROM updates`
    })
    const forget = SqlSchema.findAll({
      Request: Schema.Number,
      Result: UpdateId,
      execute: (before) =>
        sql`DELETE FROM updates WHERE handled_at < ${before}
            AND update_id < (SELECT MAX(update_id) FROM updates) RETURNING update_id`
    })

    return Inbox.of({
      // One statement for the batch; what is still to handle is read back as ids only: the updates themselves
      // are in hand (Telegram sends an update_id with the same content each time).
      record: (updates) =>
        updates.length === 0 ? Effect.succeed([]) : Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const rows = updates.map((update) => ({
            update_id: update.update_id,
            payload: JSON.stringify(update),
            received_at: now
          }))
          yield* sql`INSERT INTO updates ${sql.insert(rows)} ON CONFLICT DO NOTHING`
          return yield* stillToHandle(updates.map((u) => u.update_id))
        }).pipe(
          Effect.map((rows) => {
            const byId = new Map(updates.map((u) => [u.update_id, u]))
            return rows.map((row) => byId.get(row.update_id)!)
          }),
          storeOp("recordUpdates")
        ),
      markHandled: (updateIds) =>
        updateIds.length === 0 ? Effect.void : Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => sql`UPDATE updates SET handled_at = ${now} WHERE ${sql.in("update_id", updateIds)}`),
          Effect.asVoid,
          storeOp("markHandled")
        ),
      // The payload keeps every field as Telegram sent it; only update_id is checked.
      unhandled: unhandled(undefined).pipe(
        Effect.map((rows) => rows.map((r) => r.payload as unknown as Update)),
        storeOp("unhandledUpdates")
      ),
      lastRecorded: last(undefined).pipe(Effect.map((row) => Option.fromNullable(row.last)), storeOp("lastRecorded")),
      forgetHandled: (before) => forget(before).pipe(Effect.map((rows) => rows.length), storeOp("forgetHandled"))
    })
  })
)
