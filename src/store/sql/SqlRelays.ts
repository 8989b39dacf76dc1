import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { Leases } from "../Leases.js"
import { Relays } from "../Relays.js"
import { dueWork } from "./dueWork.js"
import { RelayFromRow } from "./relayRows.js"
import { storeOp, wroteOne } from "./rows.js"

/** The managers' outbox in SQL: a relay row with no outcome is pending. */
export const SqlRelays = Layer.effect(
  Relays,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases
    const find = SqlSchema.findOne({
      Request: Schema.String,
      Result: RelayFromRow,
      execute: (id) => sql`SELECT * FROM relays WHERE id = ${id}`
    })
    const pending = SqlSchema.findAll({
      Request: Schema.Number,
      Result: RelayFromRow,
      execute: (telegramId) =>
        sql`SELECT * FROM relays WHERE telegram_id = ${telegramId} AND outcome IS NULL ORDER BY created_at, id`
    })
    // A person's relays go out in order, so the lease is on the person.
    const work = dueWork(sql, leases, { table: "relays", kind: "person", keyColumn: "telegram_id" })
    const peopleDue = SqlSchema.findAll({
      Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
      Result: Schema.Struct({ telegram_id: Schema.Number }),
      execute: ({ limit, now }) =>
        sql`SELECT DISTINCT telegram_id FROM relays WHERE ${work.dueBy(now)} AND telegram_id IS NOT NULL
            LIMIT ${limit}`
    })
    const count = SqlSchema.single({
      Request: Schema.Number,
      Result: Schema.Struct({ n: Schema.Number }),
      execute: (telegramId) => sql`SELECT COUNT(*) AS n FROM relays WHERE telegram_id = ${telegramId}`
    })
    return Relays.of({
      record: (relay) =>
        sql`INSERT INTO relays ${
          sql.insert({
            id: relay.id,
            admin_chat_id: relay.adminChatId,
            admin_message_id: relay.adminMessageId,
            telegram_id: Option.getOrNull(relay.telegramId),
            text: relay.text,
            media: relay.media ? 1 : 0,
            signature: Option.getOrNull(relay.signature),
            manager_id: Option.getOrNull(Option.map(relay.manager, (m) => m.id)),
            manager_name: Option.getOrNull(Option.map(relay.manager, (m) => m.name)),
            html: Option.getOrNull(relay.html),
            lead_id: Option.getOrNull(relay.leadId),
            created_at: relay.createdAt,
            next_attempt_at: relay.createdAt
          })
        } ON CONFLICT DO NOTHING RETURNING id`.pipe(wroteOne, storeOp("recordRelay")),
      get: (id) => find(id).pipe(storeOp("getRelay")),
      pendingOf: (telegramId) => pending(telegramId).pipe(storeOp("pendingRelays")),
      peopleDue: (now, limit) =>
        peopleDue({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.telegram_id)), storeOp("peopleDue")),
      retryLater: (id, at) => work.retryLater(id, at).pipe(storeOp("retryRelay")),
      // The first outcome stands.
      settle: (id, outcome) =>
        work.settle(id, sql`outcome = ${outcome}`, sql`outcome IS NULL`).pipe(Effect.asVoid, storeOp("settleRelay")),
      countOf: (telegramId) => count(telegramId).pipe(Effect.map((r) => r.n), storeOp("countRelays")),
      forgetPerson: (telegramId) =>
        sql`DELETE FROM relays WHERE telegram_id = ${telegramId} RETURNING id`.pipe(
          Effect.map((rows) => rows.length),
          storeOp("forgetRelays")
        )
    })
  })
)
