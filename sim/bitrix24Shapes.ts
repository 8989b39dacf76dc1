/**
 * The fields a Bitrix24 lead takes, as its stand-in checks them (sim/Bitrix24Sim.ts). Sources:
 * - https://apidocs.bitrix24.com/api-reference/crm/leads/crm-lead-add.html (and the Russian source of it,
 *   github.com/bitrix-tools/b24-rest-docs api-reference/crm/leads/crm-lead-add.md): the fields, SOURCE_ID's values,
 *   `params.REGISTER_SONET_EVENT`, the answer `{"result": <id>, "time": …}`
 * - api-reference/crm/leads/crm-lead-list.md (filter with prefixes, select, order, pages of 50)
 * - api-reference/crm/timeline/comments/crm-timeline-comment-add.md (ENTITY_ID, ENTITY_TYPE, COMMENT; NOT_FOUND,
 *   INVALID_ARG_VALUE)
 * - _includes/system-errors.md (QUERY_LIMIT_EXCEEDED 503, NO_AUTH_FOUND 401, INVALID_CREDENTIALS 403,
 *   insufficient_scope 403, expired_token 401, INTERNAL_SERVER_ERROR 500) and limits.md (a leaky bucket: 2 a second
 *   drained, 50 before a block, per portal)
 * A real portal ignores a field it does not know; the stand-in refuses it (error `UNKNOWN_FIELD`), so that a typo in
 * the bot's mapping fails a test instead of vanishing.
 */

/** The lead's string fields the stand-in knows (crm.lead.fields lists them). */
export const STRING_FIELDS = [
  "TITLE",
  "NAME",
  "SECOND_NAME",
  "LAST_NAME",
  "COMMENTS",
  "SOURCE_ID",
  "SOURCE_DESCRIPTION",
  "STATUS_ID",
  "STATUS_DESCRIPTION",
  "POST",
  "ADDRESS",
  "COMPANY_TITLE",
  "CURRENCY_ID",
  "OPENED",
  "ORIGINATOR_ID",
  "ORIGIN_ID",
  "UTM_SOURCE",
  "UTM_MEDIUM",
  "UTM_CAMPAIGN",
  "UTM_CONTENT",
  "UTM_TERM"
]
const NUMBER_FIELDS = ["ASSIGNED_BY_ID", "OPPORTUNITY", "CONTACT_ID", "COMPANY_ID"]
/** The multifields, and the VALUE_TYPEs each takes. */
export const MULTI_FIELDS: Record<string, ReadonlyArray<string>> = {
  PHONE: ["WORK", "MOBILE", "FAX", "HOME", "PAGER", "MAILING", "OTHER"],
  EMAIL: ["WORK", "HOME", "MAILING", "OTHER"],
  WEB: ["WORK", "HOME", "FACEBOOK", "VK", "LIVEJOURNAL", "TWITTER", "OTHER"],
  IM: ["TELEGRAM", "WHATSAPP", "VIBER", "SKYPE", "OTHER"]
}
/** SOURCE_ID's values in a new portal. */
export const SOURCES = [
  "CALL",
  "EMAIL",
  "WEB",
  "ADVERTISING",
  "PARTNER",
  "RECOMMENDATION",
  "TRADE_SHOW",
  "WEBFORM",
  "CALLBACK",
  "RC_GENERATOR",
  "STORE",
  "OTHER"
]

export const ALL_FIELDS = [...STRING_FIELDS, ...NUMBER_FIELDS, ...Object.keys(MULTI_FIELDS)]

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** What is wrong with a lead's `fields`, one line each (none: it is good). */
export const fieldProblems = (fields: unknown, sources: ReadonlyArray<string>): Array<string> => {
  if (!isObject(fields)) return ["fields: expected an object"]
  return Object.entries(fields).flatMap(([key, value]): Array<string> => {
    if (/^UF_CRM_/.test(key)) return []
    if (STRING_FIELDS.includes(key)) {
      if (typeof value !== "string") return [`${key}: expected a string`]
      if (key === "SOURCE_ID" && !sources.includes(value)) return [`SOURCE_ID: no source ${value} in the portal`]
      return []
    }
    if (NUMBER_FIELDS.includes(key)) return typeof value === "number" ? [] : [`${key}: expected a number`]
    const types = MULTI_FIELDS[key]
    if (types === undefined) return [`${key}: not a lead's field`]
    if (!Array.isArray(value)) return [`${key}: expected an array of {VALUE, VALUE_TYPE}`]
    return value.flatMap((item: unknown, i): Array<string> => {
      if (!isObject(item)) return [`${key}[${i}]: expected {VALUE, VALUE_TYPE}`]
      const extra = Object.keys(item).filter((k) => !["ID", "VALUE", "VALUE_TYPE", "TYPE_ID"].includes(k))
      if (extra.length > 0) return [`${key}[${i}]: unknown ${extra.join(", ")}`]
      if (typeof item["VALUE"] !== "string" || item["VALUE"] === "") return [`${key}[${i}].VALUE: expected a text`]
      return types.includes(String(item["VALUE_TYPE"]))
        ? []
        : [`${key}[${i}].VALUE_TYPE: not one of ${types.join(", ")}`]
    })
  })
}

/** `crm.lead.fields`' answer: each field's description. */
export const fieldDescriptions = () =>
  Object.fromEntries(ALL_FIELDS.map((field) => [field, {
    type: field in MULTI_FIELDS ? "crm_multifield" : NUMBER_FIELDS.includes(field) ? "integer" : "string",
    isRequired: false,
    isReadOnly: false,
    isImmutable: false,
    isMultiple: field in MULTI_FIELDS,
    isDynamic: false,
    title: field
  }]))
