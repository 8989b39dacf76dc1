import { existsSync } from "node:fs"

import { Reactivity } from "@effect/experimental"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Schema } from "effect"

const OutboxRow = Schema.Struct({
  brand: Schema.String,
  title: Schema.String,
  created_at: Schema.Number,
  attempts: Schema.Number,
  last_error: Schema.NullOr(Schema.String),
  last_admin_error: Schema.NullOr(Schema.String)
})

const AboutPersonRow = Schema.Struct({ chat_id: Schema.Number, message_id: Schema.Number })

/** What the page shows from the bot's store as it runs. */
export interface StoreView {
  /** The leads waiting in the bot's outbox (no human has them yet). */
  readonly outbox: ReadonlyArray<typeof OutboxRow.Type>
  /** The managers' chats' messages that concern a person (`<chat>:<message id>`): a reply to one reaches them. */
  readonly aboutPerson: ReadonlySet<string>
}

const nothing: StoreView = { outbox: [], aboutPerson: new Set() }

/** Read-only, a moment at a time: the bot owns the store (the page polls it, as an operator's query would). */
export const readStore = (storeFile: string): Promise<StoreView> =>
  !existsSync(storeFile) ? Promise.resolve(nothing) : Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqliteClient.make({ filename: storeFile, readonly: true, disableWAL: true })
      const outbox = yield* sql`SELECT brand_name AS brand, title, created_at,
        (SELECT COUNT(*) FROM delivery_attempts a WHERE a.lead_id = leads.id) AS attempts,
        (SELECT error FROM delivery_attempts a WHERE a.lead_id = leads.id ORDER BY rowid DESC LIMIT 1) AS last_error,
        (SELECT admin_error FROM delivery_attempts a WHERE a.lead_id = leads.id ORDER BY rowid DESC LIMIT 1)
          AS last_admin_error
      FROM leads WHERE outcome IS NULL ORDER BY created_at`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(OutboxRow)))
      )
      // The bot's own record of whom each of its messages there concerns (the one way a reply reaches a person).
      const about = yield* sql`SELECT chat_id, message_id FROM admin_messages WHERE telegram_id IS NOT NULL`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(AboutPersonRow)))
      )
      return { outbox, aboutPerson: new Set(about.map((m) => `${m.chat_id}:${m.message_id}`)) }
    }).pipe(Effect.scoped, Effect.provide(Reactivity.layer), Effect.orElseSucceed(() => nothing))
  )
