import { Option, Redacted, Schema } from "effect"

import type { CrmKind } from "../metrics/metrics.js"

/**
 * A brand's CRM, one kind a brand, as the environment (or locales.json's `webhook_url`) names it. Each carries the
 * variables it came from, so that a line about it can name them (never their secret values).
 */

/** A URL that takes the lead's JSON (`CRM_WEBHOOK_URL_<BRAND>` or `profiles.<brand>.webhook_url`). */
export const WebhookTarget = Schema.TaggedStruct("Webhook", {
  url: Schema.Redacted(Schema.String),
  /** Where the URL came from: the variable, or the JSON path in locales.json. */
  source: Schema.String
})
export type WebhookTarget = typeof WebhookTarget.Type

/** An amoCRM account (`AMOCRM_URL_<BRAND>`, `AMOCRM_TOKEN_<BRAND>`, optional `AMOCRM_PIPELINE_ID_<BRAND>`). */
export const AmoCrmTarget = Schema.TaggedStruct("AmoCrm", {
  /** The account's origin, e.g. `https://agency.amocrm.ru` (no path). */
  url: Schema.String,
  /** A private integration's long-lived token. */
  token: Schema.Redacted(Schema.String),
  pipelineId: Schema.OptionFromSelf(Schema.Number),
  urlVariable: Schema.String,
  tokenVariable: Schema.String
})
export type AmoCrmTarget = typeof AmoCrmTarget.Type

/** A Bitrix24 inbound webhook (`BITRIX24_WEBHOOK_URL_<BRAND>`, optional `BITRIX24_SOURCE_ID_<BRAND>`). */
export const Bitrix24Target = Schema.TaggedStruct("Bitrix24", {
  /** `https://<portal>/rest/<user id>/<secret>/`: the path is as good as a password. */
  url: Schema.Redacted(Schema.String),
  /** The lead's SOURCE_ID (default `WEB`). */
  sourceId: Schema.String,
  urlVariable: Schema.String
})
export type Bitrix24Target = typeof Bitrix24Target.Type

export const CrmTarget = Schema.Union(WebhookTarget, AmoCrmTarget, Bitrix24Target)
export type CrmTarget = typeof CrmTarget.Type

/** The CRMs that keep notes on a lead and a contact's phone: amoCRM and Bitrix24 (a webhook takes one JSON only). */
export type NativeCrmTarget = AmoCrmTarget | Bitrix24Target

/** Whether the CRM takes notes and later phones (`addNote`, `updatePhone`); a webhook does not. */
export const takesNotes = (target: CrmTarget): target is NativeCrmTarget => target._tag !== "Webhook"

/** The `crm` label of the metrics for a target. */
export const crmKindOf = (target: CrmTarget): CrmKind =>
  target._tag === "Webhook" ? "webhook" : target._tag === "AmoCrm" ? "amocrm" : "bitrix24"

/** The `crm` label of a brand: its CRM's kind, or `none` (its leads go to the managers' chat). */
export const brandCrmKind = (crm: Option.Option<CrmTarget>): CrmKind =>
  Option.match(crm, { onNone: () => "none", onSome: crmKindOf })

/** Where the CRM's requests go: its URL's origin (brands on one account or server share it). */
export const crmOrigin = (target: CrmTarget): string =>
  target._tag === "AmoCrm" ? target.url : new URL(Redacted.value(target.url)).origin

/** The name an operator reads in a line about the CRM. */
export const crmName = (target: CrmTarget): string =>
  target._tag === "Webhook" ? "the CRM webhook" : target._tag === "AmoCrm" ? "amoCRM" : "Bitrix24"
