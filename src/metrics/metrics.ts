import { FiberRef, Metric, MetricBoundaries } from "effect"

import { type OutcomeKind } from "../lead/Lead.js"

/**
 * The bot's metrics, Effect `Metric`s updated where the event happens; `/metrics` renders them for Prometheus.
 * Their names and labels are a contract with the dashboards and alerts that read them: keep them.
 */

/** The label values known in advance: each series exists from the start, at 0 (Prometheus' guidance). */
export const UPDATE_SOURCES = ["polling", "webhook"] as const
export const REJECT_REASONS = ["secret", "malformed", "too_large"] as const
export type RejectReason = typeof REJECT_REASONS[number]
export const CRM_ERROR_KINDS = ["connection", "http_status", "timeout", "client", "unknown"] as const
export type CrmErrorKind = typeof CRM_ERROR_KINDS[number]
/** The `crm` label: the brand's kind of CRM (`none`: a brand with no CRM, whose leads go to the managers' chat). */
export const CRM_KINDS = ["webhook", "amocrm", "bitrix24", "none"] as const
export type CrmKind = typeof CRM_KINDS[number]

/** Updates from Telegram, by `source`: `polling` or `webhook` (repeats included: Telegram sent them). */
export const updatesReceived = Metric.counter("leadbot_updates_received_total", {
  description: "Updates received from Telegram, by source",
  incremental: true
})

/** Webhook requests refused, by `reason`: `secret`, `malformed`, `too_large`. */
export const webhookRejected = Metric.counter("leadbot_webhook_rejected_total", {
  description: "Webhook requests refused, by reason",
  incremental: true
})

/** `/start`s that named a brand of ours, by `brand` (no campaign label: its values are unbounded; see /stats). */
export const startsCounted = Metric.counter("leadbot_starts_total", {
  description: "Deep-link starts that named a brand, by brand",
  incremental: true
})

/** Leads recorded, by `brand` (the profile key). */
export const leadsRecorded = Metric.counter("leadbot_leads_recorded_total", {
  description: "Leads recorded, by brand",
  incremental: true
})

/**
 * Leads that reached a human, by `brand`, `via` (`crm` or `fallback`: the admin chat) and `crm` (the brand's kind of
 * CRM: `webhook`, `amocrm`, `bitrix24`, `none`).
 */
export const leadsDelivered = Metric.counter("leadbot_leads_delivered_total", {
  description: "Leads that reached a human, by brand, via (crm or fallback) and crm (the brand's kind of CRM)",
  incremental: true
})

/**
 * CRM failures, by `brand`, `kind` (`connection`, `http_status`, `timeout`, `client`, `unknown`) and `crm` (the
 * brand's kind of CRM).
 */
export const crmErrors = Metric.counter("leadbot_crm_errors_total", {
  description: "CRM delivery failures, by brand, kind and crm (the brand's kind of CRM)",
  incremental: true
})

/** Managers' messages relayed to people, by `result`: `delivered`, or `refused` for good (blocked, gone). */
export const RELAY_RESULTS = ["delivered", "refused"] as const
export const repliesRelayed = Metric.counter("leadbot_replies_relayed_total", {
  description: "Managers' messages relayed to people, by result (delivered or refused)",
  incremental: true
})

/** Consents given (152-FZ), by `result`: `accepted` (the only one: a refusal is no event, the person just leaves). */
export const CONSENT_RESULTS = ["accepted"] as const
export const consentsGiven = Metric.counter("leadbot_consents_total", {
  description: "Consents to the processing of personal data, by result",
  incremental: true
})

/** People whose data was deleted, by `by`: `person` (/forget) or `operator` (npm run forget-person). */
export const peopleForgotten = Metric.counter("leadbot_forgotten_total", {
  description: "People whose data was deleted on request, by who asked (person or operator)",
  incremental: true
})

/** Leads a manager took, by `brand` ("🙋 Беру", or their answer reached the person first). */
export const leadsTaken = Metric.counter("leadbot_leads_taken_total", {
  description: "Leads a manager took, by brand",
  incremental: true
})

/** Reminders of a lead nobody took or answered in time, by `brand`. */
export const slaReminders = Metric.counter("leadbot_sla_reminders_total", {
  description: "Reminders sent of leads nobody took or answered in time, by brand",
  incremental: true
})

/** Fallback leads their CRM took after all (reconciliation), by `brand`. */
export const leadsReconciled = Metric.counter("leadbot_leads_reconciled_total", {
  description: "Fallback leads delivered to their CRM later by reconciliation, by brand",
  incremental: true
})

/** Read from the store at each scrape: fallback leads not in their CRM yet and not marked entered, by `brand`. */
export const leadsAwaitingCrm = Metric.gauge("leadbot_leads_awaiting_crm", {
  description: "Fallback leads neither taken by their CRM since nor marked entered by hand, by brand (from the store)"
})

/** From a lead's recording to the first manager's message delivered to its person. */
export const firstReplySeconds = Metric.histogram(
  "leadbot_first_reply_seconds",
  MetricBoundaries.fromIterable([10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600]),
  "From a lead's recording to the first manager's message delivered to its person"
)

/** Failed Bot API calls, by `method` and `code` (the error code, or `network`). */
export const telegramErrors = Metric.counter("leadbot_telegram_errors_total", {
  description: "Failed Telegram Bot API calls, by method and code",
  incremental: true
})

/** Read from the store at each scrape: leads that have reached no human. */
export const leadsPending = Metric.gauge("leadbot_leads_pending", {
  description: "Leads that have reached no human yet (from the store)"
})

/** Read from the store at each scrape: how long the oldest pending lead has waited; 0 when none. */
export const oldestPendingLeadSeconds = Metric.gauge("leadbot_oldest_pending_lead_seconds", {
  description: "Age of the oldest lead that has reached no human, 0 when none (from the store)"
})

/** From an update's arrival to the person's confirmation. */
export const confirmationSeconds = Metric.histogram(
  "leadbot_confirmation_seconds",
  MetricBoundaries.fromIterable([0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  "From an update's arrival to the person's confirmation"
)

/** From a lead's recording to a human having it (the CRM or the admin chat). */
export const deliverySeconds = Metric.histogram(
  "leadbot_delivery_seconds",
  MetricBoundaries.fromIterable([0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]),
  "From a lead's recording to a human having it"
)

export const residentMemoryBytes = Metric.gauge("process_resident_memory_bytes", {
  description: "Resident memory size in bytes"
})

export const eventLoopLagSeconds = Metric.gauge("nodejs_eventloop_lag_seconds", {
  description: "Mean event loop delay since the previous scrape, in seconds"
})

/**
 * The metric tagged with the given labels' values, made once for each set of values: an update then finds its
 * series without hashing the labels again (a metric tagged anew each time is looked up anew each time).
 */
export const labelled = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, ...keys: ReadonlyArray<string>) => {
  const made = new Map<string, Metric.Metric<Type, In, Out>>()
  return (...values: ReadonlyArray<string>): Metric.Metric<Type, In, Out> => {
    const id = values.join("\u0000")
    let tagged = made.get(id)
    if (tagged === undefined) {
      tagged = keys.reduce((m, key, i) => Metric.tagged(m, key, values[i] ?? ""), metric)
      made.set(id, tagged)
    }
    return tagged
  }
}

/** `leadbot_leads_delivered_total` of a brand, a way (`via`) and the brand's kind of CRM, made once each. */
export const deliveredOf: (brand: string, via: OutcomeKind, crm: CrmKind) => Metric.Metric.Counter<number> = labelled(
  leadsDelivered,
  "brand",
  "via",
  "crm"
)

/** `leadbot_crm_errors_total` of a brand, an error's kind and the brand's kind of CRM, made once each. */
export const crmErrorsOf: (brand: string, kind: CrmErrorKind, crm: CrmKind) => Metric.Metric.Counter<number> = labelled(
  crmErrors,
  "brand",
  "kind",
  "crm"
)

/** When the update being handled arrived (ms since the epoch): the fiber that handles it carries it. */
export const updateArrivedAt = FiberRef.unsafeMake<number | undefined>(undefined)
