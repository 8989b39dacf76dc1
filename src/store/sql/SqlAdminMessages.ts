import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { AdminMessages } from "../AdminMessages.js"
import { column, storeOp } from "./rows.js"

/** Which admin-chat message concerns whom, in SQL. */
export const SqlAdminMessages = Layer.effect(
  AdminMessages,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const find = SqlSchema.findOne({
      Request: Schema.Struct({ chatId: Schema.Number, messageId: Schema.Number }),
      Result: Schema.Struct({ telegram_id: Schema.NullOr(Schema.Number), lead_id: Schema.NullOr(Schema.String) }),
      execute: ({ chatId, messageId }) =>
        sql`SELECT telegram_id, lead_id FROM admin_messages WHERE chat_id = ${chatId} AND message_id = ${messageId}`
    })
    const Message = Schema.Struct({
      chatId: column(Schema.Number, "chat_id"),
      messageId: column(Schema.Number, "message_id")
    })
    return AdminMessages.of({
      record: (messages) =>
        messages.length === 0 ?
          Effect.void :
          sql`INSERT INTO admin_messages ${
            sql.insert(messages.map((m) => ({
              chat_id: m.chatId,
              message_id: m.messageId,
              telegram_id: m.telegramId,
              lead_id: m.leadId ?? null
            })))
          } ON CONFLICT DO NOTHING`.pipe(Effect.asVoid, storeOp("recordAdminMessages")),
      concerning: (chatId, messageId) =>
        find({ chatId, messageId }).pipe(
          Effect.map(Option.map((row) =>
            row.telegram_id === null
              ? { _tag: "Forgotten" as const }
              : { _tag: "Person" as const, telegramId: row.telegram_id, leadId: Option.fromNullable(row.lead_id) }
          )),
          storeOp("concerning")
        ),
      // Unlinked, not deleted: a reply to one is then told its person was forgotten.
      forgetPerson: (telegramId) =>
        sql`UPDATE admin_messages SET telegram_id = NULL, lead_id = NULL WHERE telegram_id = ${telegramId}
            RETURNING chat_id, message_id`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(Message))),
          Effect.map((messages) => [...messages].sort((a, b) => a.chatId - b.chatId || a.messageId - b.messageId)),
          storeOp("forgetAdminMessages")
        )
    })
  })
)
