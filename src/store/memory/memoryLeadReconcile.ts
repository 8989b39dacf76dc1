import { Effect, Option } from "effect"

import type { LeadRecord, Reconcile } from "../../lead/Lead.js"
import type { LeadStore } from "../LeadStore.js"
import { read } from "./MemoryTable.js"

/** Changes a lead that exists (false when it does not, or `f` leaves it as it is: undefined). */
type Change = (leadId: string, f: (r: LeadRecord) => LeadRecord | undefined) => Effect.Effect<boolean>

export const notReconciling: Reconcile = {
  dueAt: Option.none(),
  retries: 0,
  reconciledAt: Option.none(),
  shown: false
}

/** A fallback lead's reconciliation with its CRM in memory, under the SQL stores' rules (sqlLeadReconcile). */
export const memoryLeadReconcile = (
  all: () => ReadonlyArray<LeadRecord>,
  change: Change
): Pick<LeadStore["Type"], "awaitCrm" | "reconcileDue" | "reconcileLater" | "reconciled" | "markReconciledShown"> => {
  const reconcile = (leadId: string, f: (r: LeadRecord) => Reconcile | undefined) =>
    change(leadId, (r) => {
      const next = f(r)
      return next === undefined ? undefined : { ...r, reconcile: next }
    })
  return {
    awaitCrm: (leadId, at) =>
      reconcile(leadId, (r) =>
        Option.isSome(r.handled) || Option.isSome(r.reconcile.reconciledAt)
          ? undefined
          : { ...r.reconcile, dueAt: Option.some(at) }).pipe(Effect.asVoid),
    reconcileDue: (now, limit) =>
      read(() =>
        all().filter((r) => Option.exists(r.reconcile.dueAt, (at) => at <= now))
          .sort((a, b) => a.lead.createdAt - b.lead.createdAt)
          .slice(0, limit)
          .map((r) => r.lead.id)
      ),
    reconcileLater: (leadId, at) =>
      reconcile(leadId, (r) =>
        Option.match(at, {
          onNone: () => ({ ...r.reconcile, dueAt: Option.none() }),
          onSome: (next) =>
            Option.isNone(r.reconcile.dueAt) || Option.isSome(r.handled)
              ? undefined
              : { ...r.reconcile, dueAt: Option.some(next), retries: r.reconcile.retries + 1 }
        })).pipe(Effect.asVoid),
    reconciled: (leadId, at) =>
      change(leadId, (r) =>
        Option.isSome(r.reconcile.reconciledAt) ? undefined : {
          ...r,
          reconcile: { ...r.reconcile, dueAt: Option.none(), reconciledAt: Option.some(at) },
          work: { ...r.work, wakes: r.work.wakes + 1, dueAt: Option.orElse(r.work.dueAt, () => Option.some(at)) }
        }),
    markReconciledShown: (leadId) => reconcile(leadId, (r) => ({ ...r.reconcile, shown: true })).pipe(Effect.asVoid)
  }
}
