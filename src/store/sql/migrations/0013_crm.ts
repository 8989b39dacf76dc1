import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

import { integer } from "./columns.js"
import { leaseKinds } from "./leaseKinds.js"

/**
 * The CRMs spoken natively (amoCRM, Bitrix24): where a lead is in its CRM (its ref, as JSON), whether its last
 * attempt may have reached the CRM (asked before a resend), and the notes outbox (each note once, by its key, per lead
 * in order), with a lease kind of its own.
 */
export const crm = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const INTEGER = integer(sql)
  yield* sql`ALTER TABLE leads ADD COLUMN crm_ref TEXT`
  yield* sql`ALTER TABLE leads ADD COLUMN crm_maybe ${INTEGER} NOT NULL DEFAULT 0`
  yield* sql`CREATE TABLE crm_notes (
    lead_id TEXT NOT NULL REFERENCES leads (id),
    note_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'phone')),
    text TEXT NOT NULL,
    created_at ${INTEGER} NOT NULL,
    outcome TEXT CHECK (outcome IN ('sent', 'refused')),
    next_attempt_at ${INTEGER},
    retries ${INTEGER} NOT NULL DEFAULT 0,
    PRIMARY KEY (lead_id, note_key)
  )`
  yield* sql`CREATE INDEX crm_notes_due ON crm_notes (next_attempt_at) WHERE next_attempt_at IS NOT NULL`
  yield* leaseKinds(sql, ["chat", "lead", "person", "erasure", "reminder", "crm_note"])
})
