import { Effect, Metric } from "effect"

import { RequestedBy } from "../lead/Erasure.js"
import { OutcomeKind } from "../lead/Lead.js"
import {
  confirmationSeconds,
  CONSENT_RESULTS,
  consentsGiven,
  CRM_ERROR_KINDS,
  crmErrorsOf,
  type CrmKind,
  deliveredOf,
  deliverySeconds,
  firstReplySeconds,
  leadsAwaitingCrm,
  leadsReconciled,
  leadsRecorded,
  leadsTaken,
  peopleForgotten,
  REJECT_REASONS,
  RELAY_RESULTS,
  repliesRelayed,
  slaReminders,
  startsCounted,
  UPDATE_SOURCES,
  updatesReceived,
  webhookRejected
} from "./metrics.js"

/** A brand as the known series need it: its key, and its kind of CRM (each brand has the series of its kind). */
export interface BrandSeries {
  readonly brand: string
  readonly crm: CrmKind
}

/**
 * Makes every series whose labels are known in advance (all but the Bot API errors' method and code), so that an
 * alert on a rate has a series before the first event. The brands are those of locales.json, each with its CRM.
 */
export const makeKnownSeries = (brands: ReadonlyArray<BrandSeries>) =>
  Effect.all([
    ...UPDATE_SOURCES.map((source) => Metric.value(Metric.tagged(updatesReceived, "source", source))),
    ...REJECT_REASONS.map((reason) => Metric.value(Metric.tagged(webhookRejected, "reason", reason))),
    ...brands.flatMap(({ brand, crm }) => [
      Metric.value(Metric.tagged(startsCounted, "brand", brand)),
      Metric.value(Metric.tagged(leadsRecorded, "brand", brand)),
      Metric.value(Metric.tagged(leadsTaken, "brand", brand)),
      Metric.value(Metric.tagged(slaReminders, "brand", brand)),
      Metric.value(Metric.tagged(leadsReconciled, "brand", brand)),
      Metric.set(Metric.tagged(leadsAwaitingCrm, "brand", brand), 0),
      ...OutcomeKind.literals.map((via) => Metric.value(deliveredOf(brand, via, crm))),
      ...CRM_ERROR_KINDS.map((kind) => Metric.value(crmErrorsOf(brand, kind, crm)))
    ]),
    ...RELAY_RESULTS.map((result) => Metric.value(Metric.tagged(repliesRelayed, "result", result))),
    ...CONSENT_RESULTS.map((result) => Metric.value(Metric.tagged(consentsGiven, "result", result))),
    ...RequestedBy.literals.map((by) => Metric.value(Metric.tagged(peopleForgotten, "by", by))),
    Metric.value(firstReplySeconds),
    Metric.value(confirmationSeconds),
    Metric.value(deliverySeconds)
  ], { discard: true })
