import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"
import type { Update } from "grammy/types"

import { chatKey } from "../../telegram/chatKey.js"
import { UpdateJson } from "../../telegram/UpdateJson.js"
import { Inbox } from "../Inbox.js"
import { Leases } from "../Leases.js"
import { directStatements } from "./directStatements.js"
import { storeOp } from "./rows.js"
import { unleased } from "./SqlLeases.js"

const UpdateId = Schema.Struct({ update_id: Schema.Int })
const ChatId = Schema.Struct({ chat_id: Schema.Number })

export const SqlInbox = Layer.effect(
  Inbox,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases
    const run = yield* directStatements

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
    const unhandledOf = SqlSchema.findAll({
      Request: Schema.Number,
      Result: Schema.Struct({ update_id: Schema.Int, received_at: Schema.Number }),
      execute: (chatId) =>
        sql`SELECT update_id, received_at FROM updates WHERE chat_id = ${chatId} AND handled_at IS NULL
            ORDER BY update_id`
    })
    const payloads = SqlSchema.findAll({
      Request: Schema.Array(Schema.Int),
      Result: Schema.Struct({ update_id: Schema.Int, payload: UpdateJson }),
      execute: (ids) => sql`SELECT update_id, payload FROM updates WHERE ${sql.in("update_id", ids)}`
    })
    // On a shared store, a chat another replica's live lease holds is that replica's to handle.
    const free = leases.exclusive ? sql`1 = 1` : unleased(sql, "chat", "u.chat_id")
    const chatsWithWork = SqlSchema.findAll({
      Request: Schema.Number,
      Result: ChatId,
      execute: (limit) =>
        sql`SELECT DISTINCT chat_id FROM updates u WHERE handled_at IS NULL AND ${free} LIMIT ${limit}`
    })
    const forget = SqlSchema.findAll({
      Request: Schema.Number,
      Result: UpdateId,
      execute: (before) =>
        sql`DELETE FROM updates WHERE handled_at < ${before}
            AND update_id < (SELECT MAX(update_id) FROM updates) RETURNING update_id`
    })
    const field = (path: string) =>
      sql.onDialectOrElse({
        pg: () => sql`(payload::jsonb #>> ${`{${path.split(".").join(",")}}`})::bigint`,
        orElse: () => sql`json_extract(payload, ${`$.${path}`})`
      })
    // Who sent it, or in whose private chat it was (a private chat's id is the person's).
    const forgetPerson = SqlSchema.findAll({
      Request: Schema.Number,
      Result: UpdateId,
      execute: (telegramId) =>
        sql`DELETE FROM updates WHERE ${telegramId} IN (
              ${field("message.from.id")}, ${field("message.chat.id")},
              ${field("callback_query.from.id")}, ${field("edited_message.from.id")}
            ) RETURNING update_id`
    })

    return Inbox.of({
      // One statement for the batch; the new ones come back as ids only: the updates themselves are in hand.
      record: (updates) =>
        updates.length === 0 ? Effect.succeed([]) : Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const rows = updates.map((update) => ({
            update_id: update.update_id,
            chat_id: chatKey(update),
            payload: JSON.stringify(update),
            received_at: now
          }))
          return yield* run(sql`INSERT INTO updates ${sql.insert(rows)} ON CONFLICT DO NOTHING RETURNING update_id`)
            .pipe(
              Effect.flatMap(Schema.decodeUnknown(Schema.Array(UpdateId)))
            )
        }).pipe(
          Effect.map((rows) => {
            const byId = new Map(updates.map((u) => [u.update_id, u]))
            return rows.map((row) => byId.get(row.update_id)!)
          }),
          storeOp("recordUpdates")
        ),
      markHandled: (updateIds) =>
        updateIds.length === 0 ? Effect.void : Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            run(sql`UPDATE updates SET handled_at = ${now} WHERE ${sql.in("update_id", updateIds)}`)
          ),
          Effect.asVoid,
          storeOp("markHandled")
        ),
      // The payload keeps every field as Telegram sent it; only update_id is checked.
      unhandled: unhandled(undefined).pipe(
        Effect.map((rows) => rows.map((r) => r.payload)),
        storeOp("unhandledUpdates")
      ),
      lastRecorded: last(undefined).pipe(Effect.map((row) => Option.fromNullable(row.last)), storeOp("lastRecorded")),
      // Ids first: the payloads of updates in hand are not parsed again.
      unhandledOf: (chatId, inHand) =>
        Effect.gen(function*() {
          const rows = yield* unhandledOf(chatId)
          const missing = rows.filter((r) => !inHand.has(r.update_id)).map((r) => r.update_id)
          const read = missing.length === 0 ? [] : yield* payloads(missing)
          const byId = new Map<number, Update>([
            ...inHand,
            ...read.map((r) => [r.update_id, r.payload] as const)
          ])
          return rows.map((r) => ({ update: byId.get(r.update_id)!, receivedAt: r.received_at }))
        }).pipe(storeOp("unhandledOf")),
      chatsWithWork: (limit) =>
        chatsWithWork(limit).pipe(Effect.map((rows) => rows.map((r) => r.chat_id)), storeOp("chatsWithWork")),
      forgetHandled: (before) => forget(before).pipe(Effect.map((rows) => rows.length), storeOp("forgetHandled")),
      forgetPerson: (telegramId) =>
        forgetPerson(telegramId).pipe(Effect.map((rows) => rows.length), storeOp("forgetPersonUpdates"))
    })
  })
)
