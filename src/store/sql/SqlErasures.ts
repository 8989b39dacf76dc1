import { SqlClient, SqlSchema } from "@effect/sql"
import { Clock, Effect, Layer, Option, Schema } from "effect"

import { Erasure, ErasureStep } from "../../lead/Erasure.js"
import { Erasures } from "../Erasures.js"
import { Leases } from "../Leases.js"
import { dueWork } from "./dueWork.js"
import { column, storeOp } from "./rows.js"

/** An `erasure_steps` row as the step: done when it has a `done_at`. */
const StepFromRow = Schema.Struct({
  seq: ErasureStep.fields.seq,
  kind: ErasureStep.fields.kind,
  chatId: column(ErasureStep.fields.chatId, "chat_id"),
  targetId: column(Schema.OptionFromNullOr(Schema.Number), "target_id"),
  text: ErasureStep.fields.text,
  done: column(
    Schema.transform(Schema.NullOr(Schema.Number), Schema.Boolean, {
      strict: true,
      decode: (at) => at !== null,
      encode: () => null
    }),
    "done_at"
  )
})

const ErasureRow = Schema.Struct({
  id: Erasure.fields.id,
  by: column(Erasure.fields.by, "requested_by"),
  createdAt: column(Erasure.fields.createdAt, "created_at"),
  dueAt: column(Schema.OptionFromNullOr(Schema.Number), "next_attempt_at"),
  retries: Erasure.fields.retries
})

/** The erasures' outbox in SQL: an erasure row is due while its `next_attempt_at` is set; its steps in their table. */
export const SqlErasures = Layer.effect(
  Erasures,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leases = yield* Leases
    const work = dueWork(sql, leases, { table: "erasures", kind: "erasure", keyColumn: "id" })
    const findDue = SqlSchema.findAll({
      Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
      Result: Schema.Struct({ id: Schema.String }),
      execute: ({ limit, now }) =>
        sql`SELECT id FROM erasures WHERE ${work.dueBy(now)} ORDER BY next_attempt_at LIMIT ${limit}`
    })
    const findErasure = SqlSchema.findOne({
      Request: Schema.String,
      Result: ErasureRow,
      execute: (id) => sql`SELECT * FROM erasures WHERE id = ${id}`
    })
    const findSteps = SqlSchema.findAll({
      Request: Schema.String,
      Result: StepFromRow,
      execute: (id) => sql`SELECT * FROM erasure_steps WHERE erasure_id = ${id} ORDER BY seq`
    })
    const get = (id: string) =>
      findErasure(id).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeedNone,
          onSome: (erasure) =>
            Effect.map(findSteps(id), (steps): Option.Option<Erasure> => Option.some({ ...erasure, steps }))
        }))
      )

    return Erasures.of({
      // Due at once; its steps numbered in the order given.
      queue: (erasure) =>
        sql`INSERT INTO erasures ${
          sql.insert({
            id: erasure.id,
            requested_by: erasure.by,
            created_at: erasure.createdAt,
            next_attempt_at: erasure.createdAt
          })
        }`.pipe(
          Effect.zipRight(
            erasure.steps.length === 0 ?
              Effect.void :
              sql`INSERT INTO erasure_steps ${
                sql.insert(erasure.steps.map((step, seq) => ({
                  erasure_id: erasure.id,
                  seq,
                  kind: step.kind,
                  chat_id: step.chatId,
                  target_id: Option.getOrNull(step.targetId),
                  text: step.text
                })))
              }`
          ),
          Effect.asVoid,
          storeOp("queueErasure")
        ),
      get: (id) => get(id).pipe(storeOp("getErasure")),
      stepDone: (id, seq) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            sql`UPDATE erasure_steps SET done_at = ${now} WHERE erasure_id = ${id} AND seq = ${seq}
                AND done_at IS NULL`
          ),
          Effect.asVoid,
          storeOp("erasureStepDone")
        ),
      due: (now, limit) =>
        findDue({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.id)), storeOp("erasuresDue")),
      retryLater: (id, at) => work.retryLater(id, at).pipe(storeOp("retryErasure")),
      // Settled once: due no more, the count of retries started anew (as a lead's is).
      settle: (id) => work.settle(id, sql`retries = 0`, sql`next_attempt_at IS NOT NULL`).pipe(storeOp("settleErasure"))
    })
  })
)
