/**
 * The shapes amoCRM's API v4 takes, as its stand-in checks them (sim/AmoCrmSim.ts): a lead with its contact for
 * `POST /api/v4/leads/complex`, a note, a contact's fields. Sources:
 * - https://www.amocrm.ru/developers/content/crm_platform/leads-api (leads, `leads/complex`: at most 50 leads a
 *   request, one contact and one company a lead, 40 field values an entity)
 * - https://developers.kommo.com/reference/complex-leads (the answer: `[{id, contact_id, company_id, request_id,
 *   merged}]`)
 * - https://amocrm.ru/developers/content/crm_platform/custom-fields (fields by `field_code`; PHONE's enum codes)
 * - https://www.amocrm.ru/developers/content/crm_platform/events-and-notes (notes: `note_type`, `params.text`,
 *   `request_id` echoed back and not kept)
 * - the errors page (https://www.amocrm.com/developers/content/api/errors): a 400 with `validation-errors`
 *   `[{request_id, errors: [{code, path, detail}]}]`, `title`, `type`, `status`, `detail`.
 * Stricter than amoCRM where its documentation is silent: a key it does not list is refused (code `UnknownField`),
 * so that a typo in the bot's mapping fails a test instead of vanishing.
 */

export interface FieldError {
  readonly code: string
  readonly path: string
  readonly detail: string
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The keys of `value` beyond `allowed`, as errors at `path`. */
const unknownKeys = (value: Record<string, unknown>, allowed: ReadonlyArray<string>, path: string) =>
  Object.keys(value).filter((key) => !allowed.includes(key)).map((key): FieldError => ({
    code: "UnknownField",
    path: path === "" ? key : `${path}.${key}`,
    detail: "This field is not one amoCRM takes here."
  }))

const error = (code: string, path: string, detail: string): Array<FieldError> => [{ code, path, detail }]

const LEAD_KEYS = [
  "name",
  "price",
  "status_id",
  "pipeline_id",
  "created_by",
  "updated_by",
  "created_at",
  "updated_at",
  "closed_at",
  "loss_reason_id",
  "responsible_user_id",
  "custom_fields_values",
  "tags_to_add",
  "_embedded",
  "request_id"
]
const CONTACT_KEYS = [
  "id",
  "name",
  "first_name",
  "last_name",
  "responsible_user_id",
  "created_by",
  "updated_by",
  "created_at",
  "updated_at",
  "custom_fields_values",
  "request_id"
]
/** The lead's fields by code the stand-in's account has: the standard tracking (UTM) fields. */
export const LEAD_FIELD_CODES = ["UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "UTM_REFERRER"]
/** The contact's fields by code, and the enum codes each multi-value field takes. */
export const CONTACT_FIELD_ENUMS: Record<string, ReadonlyArray<string> | undefined> = {
  PHONE: ["WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"],
  EMAIL: ["WORK", "PRIV", "OTHER"],
  POSITION: undefined
}

/** `custom_fields_values`: at most 40, each `{field_code | field_id, values: [{value, enum_code?}]}` of the entity. */
export const customFields = (
  value: unknown,
  path: string,
  enums: Record<string, ReadonlyArray<string> | undefined>
): Array<FieldError> => {
  if (!Array.isArray(value)) return error("InvalidType", path, "This value should be of type array.")
  if (value.length > 40) return error("TooMany", path, "At most 40 field values an entity.")
  return value.flatMap((field: unknown, i): Array<FieldError> => {
    const at = `${path}.${i}`
    if (!isObject(field)) return error("InvalidType", at, "This value should be of type object.")
    const code = field["field_code"]
    const problems = [...unknownKeys(field, ["field_id", "field_code", "values"], at)]
    if (typeof code !== "string" || !Object.hasOwn(enums, code)) {
      return [
        ...problems,
        ...error("NotSupportedChoice", `${at}.field_code`, "The value you selected is not a valid choice.")
      ]
    }
    const values = field["values"]
    if (!Array.isArray(values) || values.length === 0) {
      return [...problems, ...error("InvalidType", `${at}.values`, "This value should not be blank.")]
    }
    return [
      ...problems,
      ...values.flatMap((v: unknown, j): Array<FieldError> => {
        const vat = `${at}.values.${j}`
        if (!isObject(v)) return error("InvalidType", vat, "This value should be of type object.")
        const extra = unknownKeys(v, ["value", "enum_code", "enum_id"], vat)
        if (typeof v["value"] !== "string" || v["value"] === "") {
          return [...extra, ...error("InvalidType", `${vat}.value`, "This value should be a non-empty string.")]
        }
        const allowed = enums[code]
        const enumCode = v["enum_code"]
        if (enumCode !== undefined && (allowed === undefined || !allowed.includes(String(enumCode)))) {
          return [
            ...extra,
            ...error("NotSupportedChoice", `${vat}.enum_code`, "The value you selected is not a valid choice.")
          ]
        }
        return extra
      })
    ]
  })
}

const leadFieldEnums = Object.fromEntries(LEAD_FIELD_CODES.map((code) => [code, undefined]))

/** One contact of a lead's `_embedded.contacts`, or a contact's PATCH body. */
export const contactShape = (contact: unknown, path: string): Array<FieldError> => {
  if (!isObject(contact)) return error("InvalidType", path, "This value should be of type object.")
  const prefix = path === "" ? "" : `${path}.`
  return [
    ...unknownKeys(contact, CONTACT_KEYS, path),
    ...(contact["name"] !== undefined && typeof contact["name"] !== "string"
      ? error("InvalidType", `${prefix}name`, "This value should be of type string.")
      : []),
    ...(contact["custom_fields_values"] === undefined
      ? []
      : customFields(contact["custom_fields_values"], `${prefix}custom_fields_values`, CONTACT_FIELD_ENUMS))
  ]
}

/** One lead of `POST /api/v4/leads/complex`. */
export const complexLeadShape = (lead: unknown, pipelines: ReadonlySet<number>): Array<FieldError> => {
  if (!isObject(lead)) return error("InvalidType", "", "This value should be of type object.")
  const problems = [...unknownKeys(lead, LEAD_KEYS, "")]
  const name = lead["name"]
  if (name !== undefined && (typeof name !== "string" || name.length > 255)) {
    problems.push(...error("InvalidType", "name", "This value should be a string of at most 255 characters."))
  }
  const pipeline = lead["pipeline_id"]
  if (pipeline !== undefined && (typeof pipeline !== "number" || !pipelines.has(pipeline))) {
    problems.push(...error("NotSupportedChoice", "pipeline_id", "The value you selected is not a valid choice."))
  }
  if (lead["custom_fields_values"] !== undefined) {
    problems.push(...customFields(lead["custom_fields_values"], "custom_fields_values", leadFieldEnums))
  }
  const embedded = lead["_embedded"]
  if (embedded === undefined) return problems
  if (!isObject(embedded)) return [...problems, ...error("InvalidType", "_embedded", "This value should be an object.")]
  problems.push(...unknownKeys(embedded, ["tags", "contacts", "companies", "source", "metadata"], "_embedded"))
  const tags = embedded["tags"] ?? []
  if (!Array.isArray(tags)) {
    return [...problems, ...error("InvalidType", "_embedded.tags", "This value should be an array.")]
  }
  tags.forEach((tag: unknown, i) => {
    const ok = isObject(tag) && Object.keys(tag).length === 1 &&
      ((typeof tag["name"] === "string" && tag["name"] !== "") || typeof tag["id"] === "number")
    if (!ok) problems.push(...error("InvalidType", `_embedded.tags.${i}`, "A tag is {name} or {id}."))
  })
  const contacts = embedded["contacts"] ?? []
  if (!Array.isArray(contacts) || contacts.length > 1) {
    return [...problems, ...error("TooMany", "_embedded.contacts", "At most one contact a lead.")]
  }
  contacts.forEach((contact: unknown, i) => problems.push(...contactShape(contact, `_embedded.contacts.${i}`)))
  return problems
}

/** One note of `POST /api/v4/leads/{id}/notes`: a common note with its text. */
export const noteShape = (note: unknown): Array<FieldError> => {
  if (!isObject(note)) return error("InvalidType", "", "This value should be of type object.")
  const problems = unknownKeys(note, [
    "entity_id",
    "created_by",
    "note_type",
    "params",
    "request_id",
    "is_need_to_trigger_digital_pipeline",
    "responsible_user_id",
    "created_at"
  ], "")
  if (note["note_type"] !== "common") {
    problems.push(...error("NotSupportedChoice", "note_type", "The stand-in takes common notes."))
  }
  const params = note["params"]
  if (!isObject(params) || typeof params["text"] !== "string" || params["text"].trim() === "") {
    problems.push(...error("InvalidType", "params.text", "This value should not be blank."))
  } else {
    problems.push(...unknownKeys(params, ["text"], "params"))
  }
  return problems
}
