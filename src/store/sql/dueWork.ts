import type { SqlClient, Statement } from "@effect/sql"
import { Effect } from "effect"

import type { LeaseKind, Leases } from "../Leases.js"
import type { RunStatement } from "./directStatements.js"
import { wroteOne } from "./rows.js"
import { unleased } from "./SqlLeases.js"

/**
 * Outgoing work kept in a table's rows (leads; managers' relays), one way for both: a row is due while its
 * `next_attempt_at` is set and has come, a failed attempt makes it due later with one retry more, and a settled row
 * is due no more. On a shared store a row is free only while no other holder's live lease (of `kind`, on the key in
 * `keyColumn`) holds it: that replica works on it.
 */
export const dueWork = (
  sql: SqlClient.SqlClient,
  leases: Leases["Type"],
  work: {
    readonly table: "leads" | "relays" | "erasures" | "crm_notes"
    readonly kind: LeaseKind
    readonly keyColumn: string
  },
  /** How its statements run (directStatements, where the caller has it). */
  run: RunStatement = (statement) => statement
) => {
  const table = sql.literal(work.table)
  const free = leases.exclusive ? sql`1 = 1` : unleased(sql, work.kind, work.keyColumn)
  return {
    /** A condition on the table's rows: due by `now`, and free. */
    dueBy: (now: number) => sql`next_attempt_at <= ${now} AND ${free}`,
    /** An attempt failed: the row is due again at `at`, one retry more. */
    retryLater: (id: string, at: number) =>
      sql`UPDATE ${table} SET next_attempt_at = ${at}, retries = retries + 1 WHERE id = ${id}`.pipe(Effect.asVoid),
    /**
     * The row is due no more, and `also` is set with it, if `when` still holds (its first outcome; no new work since
     * it was read). True when it was settled.
     */
    settle: (id: string, also: Statement.Fragment, when: Statement.Fragment) =>
      run(sql`UPDATE ${table} SET next_attempt_at = NULL, ${also} WHERE id = ${id} AND ${when} RETURNING id`).pipe(
        wroteOne
      )
  }
}
