import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { Topics } from "../Topics.js"
import { column, storeOp } from "./rows.js"

/** Each person's topic of a forum admin chat, in SQL. */
export const SqlTopics = Layer.effect(
  Topics,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const topicOf = SqlSchema.findOne({
      Request: Schema.Struct({ chatId: Schema.Number, telegramId: Schema.Number }),
      Result: Schema.Struct({ thread_id: Schema.Number }),
      execute: ({ chatId, telegramId }) =>
        sql`SELECT thread_id FROM person_topics WHERE chat_id = ${chatId} AND telegram_id = ${telegramId}`
    })
    const personOf = SqlSchema.findOne({
      Request: Schema.Struct({ chatId: Schema.Number, threadId: Schema.Number }),
      Result: Schema.Struct({ telegram_id: Schema.Number }),
      execute: ({ chatId, threadId }) =>
        sql`SELECT telegram_id FROM person_topics WHERE chat_id = ${chatId} AND thread_id = ${threadId}`
    })
    const of = (chatId: number, telegramId: number) =>
      topicOf({ chatId, telegramId }).pipe(Effect.map(Option.map((r) => r.thread_id)))
    const Topic = Schema.Struct({
      chatId: column(Schema.Number, "chat_id"),
      threadId: column(Schema.Number, "thread_id")
    })
    return Topics.of({
      of: (chatId, telegramId) => of(chatId, telegramId).pipe(storeOp("topicOf")),
      settle: (chatId, telegramId, threadId) =>
        sql`INSERT INTO person_topics ${sql.insert({ chat_id: chatId, telegram_id: telegramId, thread_id: threadId })}
            ON CONFLICT DO NOTHING`.pipe(
          Effect.zipRight(of(chatId, telegramId)),
          Effect.map(Option.getOrElse(() => threadId)),
          storeOp("settleTopic")
        ),
      personOf: (chatId, threadId) =>
        personOf({ chatId, threadId }).pipe(Effect.map(Option.map((r) => r.telegram_id)), storeOp("topicPerson")),
      drop: (chatId, telegramId, threadId) =>
        sql`DELETE FROM person_topics WHERE chat_id = ${chatId} AND telegram_id = ${telegramId}
            AND thread_id = ${threadId}`.pipe(Effect.asVoid, storeOp("dropTopic")),
      // Telegram keeps the topic until a manager deletes it; it is theirs no more.
      forgetPerson: (telegramId) =>
        sql`DELETE FROM person_topics WHERE telegram_id = ${telegramId} RETURNING chat_id, thread_id`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(Topic))),
          Effect.map((topics) => [...topics].sort((a, b) => a.chatId - b.chatId)),
          storeOp("forgetTopics")
        )
    })
  })
)
