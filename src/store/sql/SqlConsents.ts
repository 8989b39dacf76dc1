import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { ConsentHow, ConsentRecord, ConsentStep, ConsentText } from "../../lead/Consent.js"
import { Consents } from "../Consents.js"
import { column, storeOp } from "./rows.js"

/** A `consents` row as the log's record of an accept. */
const ConsentFromRow = Schema.Struct({
  telegramId: column(ConsentRecord.fields.telegramId, "telegram_id"),
  version: ConsentRecord.fields.version,
  textSha256: column(ConsentRecord.fields.textSha256, "text_sha256"),
  acceptedAt: column(ConsentRecord.fields.acceptedAt, "accepted_at"),
  how: ConsentHow,
  withdrawnAt: column(Schema.OptionFromNullOr(Schema.Number), "withdrawn_at")
})

/** A `consent_texts` row as the text shown. */
const TextFromRow = Schema.Struct({
  sha256: ConsentText.fields.sha256,
  version: ConsentText.fields.version,
  text: ConsentText.fields.text,
  at: column(ConsentText.fields.at, "first_shown_at")
})

/** A `consent_steps` row as the step. */
const StepFromRow = Schema.Struct({
  telegramId: column(ConsentStep.fields.telegramId, "telegram_id"),
  startPayload: column(Schema.OptionFromNullOr(Schema.String), "start_payload"),
  at: ConsentStep.fields.at
})

const Person = Schema.Struct({ telegram_id: Schema.Number })
const Expired = Schema.Struct({ telegram_id: Schema.Number, standing: Schema.Number })

/**
 * The consent log in SQL: a row an accept, its withdrawal an UPDATE of it (never a DELETE); at most one standing
 * accept a person and text (the partial unique index `consents_standing`).
 */
export const SqlConsents = Layer.effect(
  Consents,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Accepts of the same millisecond in the order they were written.
    const insertionOrder = sql.literal(sql.onDialectOrElse({ pg: () => "id", orElse: () => "rowid" }))
    const consentColumns = sql`telegram_id, version, text_sha256, accepted_at, how, withdrawn_at`
    const standing = SqlSchema.findOne({
      Request: Schema.Struct({ telegramId: Schema.Number, version: Schema.String }),
      Result: Person,
      execute: ({ telegramId, version }) =>
        sql`SELECT telegram_id FROM consents WHERE telegram_id = ${telegramId} AND version = ${version}
            AND withdrawn_at IS NULL LIMIT 1`
    })
    const textOf = SqlSchema.findOne({
      Request: Schema.String,
      Result: TextFromRow,
      execute: (sha256) => sql`SELECT * FROM consent_texts WHERE sha256 = ${sha256}`
    })
    const historyOf = SqlSchema.findAll({
      Request: Schema.Number,
      Result: ConsentFromRow,
      execute: (telegramId) =>
        sql`SELECT ${consentColumns} FROM consents WHERE telegram_id = ${telegramId}
            ORDER BY accepted_at, ${insertionOrder}`
    })
    const log = SqlSchema.findAll({
      Request: Schema.Number,
      Result: ConsentFromRow,
      execute: (since) =>
        sql`SELECT ${consentColumns} FROM consents WHERE accepted_at >= ${since}
            ORDER BY accepted_at, ${insertionOrder}`
    })
    const stepOf = SqlSchema.findOne({
      Request: Schema.Number,
      Result: StepFromRow,
      execute: (telegramId) => sql`SELECT * FROM consent_steps WHERE telegram_id = ${telegramId}`
    })
    // One statement: whether each person whose step goes has an accept that stands is read as it goes.
    const expire = SqlSchema.findAll({
      Request: Schema.Number,
      Result: Expired,
      execute: (before) =>
        sql`DELETE FROM consent_steps WHERE at < ${before} RETURNING telegram_id,
              CASE WHEN EXISTS (SELECT 1 FROM consents c WHERE c.telegram_id = consent_steps.telegram_id
                AND c.withdrawn_at IS NULL) THEN 1 ELSE 0 END AS standing`
    })

    return Consents.of({
      accepted: (telegramId, version) =>
        standing({ telegramId, version }).pipe(Effect.map(Option.isSome), storeOp("consentAccepted")),
      keepText: (text) =>
        sql`INSERT INTO consent_texts ${
          sql.insert({ sha256: text.sha256, version: text.version, text: text.text, first_shown_at: text.at })
        } ON CONFLICT DO NOTHING`.pipe(Effect.asVoid, storeOp("keepConsentText")),
      textOf: (sha256) => textOf(sha256).pipe(storeOp("consentText")),
      // The text must be kept first (a foreign key): the log proves what was accepted.
      accept: (consent) =>
        sql`INSERT INTO consents ${
          sql.insert({
            telegram_id: consent.telegramId,
            version: consent.version,
            text_sha256: consent.textSha256,
            accepted_at: consent.at,
            how: consent.how
          })
        } ON CONFLICT (telegram_id, version, text_sha256) WHERE withdrawn_at IS NULL DO NOTHING RETURNING telegram_id`
          .pipe(
            Effect.map((rows) => rows.length > 0),
            storeOp("accept")
          ),
      withdraw: (telegramId, at) =>
        sql`UPDATE consents SET withdrawn_at = ${at} WHERE telegram_id = ${telegramId} AND withdrawn_at IS NULL
            RETURNING telegram_id`.pipe(Effect.map((rows) => rows.length), storeOp("withdraw")),
      historyOf: (telegramId) => historyOf(telegramId).pipe(storeOp("consentHistory")),
      log: (since) => log(since).pipe(storeOp("consentLog")),
      saveStep: (step) =>
        sql`INSERT INTO consent_steps ${
          sql.insert({ telegram_id: step.telegramId, start_payload: Option.getOrNull(step.startPayload), at: step.at })
        } ON CONFLICT (telegram_id) DO UPDATE SET start_payload = excluded.start_payload, at = excluded.at`.pipe(
          Effect.asVoid,
          storeOp("saveConsentStep")
        ),
      stepOf: (telegramId) => stepOf(telegramId).pipe(storeOp("consentStep")),
      dropStep: (telegramId) =>
        sql`DELETE FROM consent_steps WHERE telegram_id = ${telegramId}`.pipe(
          Effect.asVoid,
          storeOp("dropConsentStep")
        ),
      expireSteps: (before) =>
        expire(before).pipe(
          Effect.map((rows) => rows.filter((r) => r.standing === 0).map((r) => r.telegram_id)),
          storeOp("expireConsentSteps")
        )
    })
  })
)
