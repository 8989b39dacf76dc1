import { Migrator } from "@effect/sql"

import { outboxAndInbox } from "./0001_outbox_inbox.js"
import { confirmationOwed } from "./0002_confirmation_owed.js"
import { replicaClaims } from "./0003_replica_claims.js"
import { oneLeadPerTap } from "./0004_one_lead_per_tap.js"
import { leases } from "./0005_leases.js"
import { attemptRounds } from "./0006_attempt_rounds.js"
import { managersSide } from "./0007_relays.js"
import { campaigns } from "./0008_campaigns.js"
import { phones } from "./0009_phones.js"
import { fallbackChats } from "./0010_fallback_chats.js"
import { consent } from "./0011_consent.js"
import { speed } from "./0012_speed.js"
import { crm } from "./0013_crm.js"
import { replyLead } from "./0014_reply_lead.js"
import { reconcile } from "./0015_reconcile.js"

/**
 * Schema migrations, one a file, for SQLite and PostgreSQL alike (where they differ: ./columns.ts). Never edit one
 * that has shipped, not even its SQL's whitespace (SQLite keeps each CREATE's text as written): add the next file,
 * and its line here. The Migrator records each by the id and name of its key and runs only ids above the last
 * recorded, in order. Imported, not globbed: the bundle (scripts/build.mjs) holds what is imported.
 * The schema they make: docs/schema.sqlite.sql and docs/schema.postgres.sql (`npm run schema`).
 */
export const migrations = {
  "0001_outbox_inbox": outboxAndInbox,
  "0002_confirmation_owed": confirmationOwed,
  "0003_replica_claims": replicaClaims,
  "0004_one_lead_per_tap": oneLeadPerTap,
  "0005_leases": leases,
  "0006_attempt_rounds": attemptRounds,
  "0007_relays": managersSide,
  "0008_campaigns": campaigns,
  "0009_phones": phones,
  "0010_fallback_chats": fallbackChats,
  "0011_consent": consent,
  "0012_speed": speed,
  "0013_crm": crm,
  "0014_reply_lead": replyLead,
  "0015_reconcile": reconcile
}

/** Runs what has not run yet, in order; on PostgreSQL the Migrator locks its table meanwhile. */
export const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations) })
