import type { SqlClient } from "@effect/sql"
import { SqlSchema } from "@effect/sql"
import { Clock, Effect, Option, Schema } from "effect"

import type { LeadStore } from "../LeadStore.js"
import type { Leases } from "../Leases.js"
import { storeOp, wroteOne } from "./rows.js"
import { unleased } from "./SqlLeases.js"

/**
 * A fallback lead's reconciliation with its CRM in SQL (columns of `leads`): due while `reconcile_at` is set and has
 * come; a manager's press (`handled_at`) ends it, and so does the CRM's taking it (`reconciled_at`).
 */
export const sqlLeadReconcile = (
  sql: SqlClient.SqlClient,
  leases: Leases["Type"]
): Pick<LeadStore["Type"], "awaitCrm" | "reconcileDue" | "reconcileLater" | "reconciled" | "markReconciledShown"> => {
  const free = leases.exclusive ? sql`1 = 1` : unleased(sql, "reconcile", "id")
  // Oldest lead first (the leads_reconcile index keeps them in that order).
  const findDue = SqlSchema.findAll({
    Request: Schema.Struct({ now: Schema.Number, limit: Schema.Number }),
    Result: Schema.Struct({ id: Schema.String }),
    execute: ({ limit, now }) =>
      sql`SELECT id FROM leads WHERE reconcile_at IS NOT NULL AND reconcile_at <= ${now} AND ${free}
          ORDER BY created_at LIMIT ${limit}`
  })
  return {
    awaitCrm: (leadId, at) =>
      sql`UPDATE leads SET reconcile_at = ${at}
          WHERE id = ${leadId} AND handled_at IS NULL AND reconciled_at IS NULL`.pipe(
        Effect.asVoid,
        storeOp("awaitCrm")
      ),
    reconcileDue: (now, limit) =>
      findDue({ now, limit }).pipe(Effect.map((rows) => rows.map((r) => r.id)), storeOp("reconcileDue")),
    reconcileLater: (leadId, at) =>
      Option.match(at, {
        onNone: () => sql`UPDATE leads SET reconcile_at = NULL WHERE id = ${leadId}`,
        onSome: (next) =>
          sql`UPDATE leads SET reconcile_at = ${next}, reconcile_retries = reconcile_retries + 1
              WHERE id = ${leadId} AND reconcile_at IS NOT NULL AND handled_at IS NULL`
      }).pipe(Effect.asVoid, storeOp("reconcileLater")),
    reconciled: (leadId, at) =>
      sql`UPDATE leads SET reconciled_at = ${at}, reconcile_at = NULL, wakes = wakes + 1,
            next_attempt_at = COALESCE(next_attempt_at, ${at})
          WHERE id = ${leadId} AND reconciled_at IS NULL RETURNING id`.pipe(wroteOne, storeOp("reconciled")),
    markReconciledShown: (leadId) =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => sql`UPDATE leads SET reconciled_shown_at = ${now} WHERE id = ${leadId}`),
        Effect.asVoid,
        storeOp("markReconciledShown")
      )
  }
}
