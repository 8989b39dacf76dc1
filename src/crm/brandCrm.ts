import { Effect, Option, Redacted } from "effect"

import { type BrandValue, type PerBrandSettings, valueOfBrand } from "../config/perBrand.js"
import { StartupError } from "../config/StartupError.js"
import type { CrmTarget } from "./CrmTarget.js"

/** A stand-in on this machine may be spoken to over plain http; anything else must be https. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"])

const parsed = (url: string): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

const secure = (url: URL) => url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname))

/** The variable `name` as the brand's other variable spells its brand (`AMOCRM_TOKEN_agency` beside `…_URL_agency`). */
const sibling = (present: BrandValue<unknown>, presentName: string, name: string) =>
  `${name}${present.variable.slice(presentName.length)}`

const fail = (message: string) => Effect.fail(new StartupError({ message }))

/** `CRM_WEBHOOK_URL_<BRAND>`, else `profiles.<brand>.webhook_url`: an http(s) URL, as before native CRMs. */
const webhookOf = (key: string, fromFile: string | undefined, perBrand: PerBrandSettings) =>
  Effect.gen(function*() {
    const env = valueOfBrand(perBrand.CRM_WEBHOOK_URL, key)
    if (Option.isNone(env) && fromFile === undefined) return Option.none<CrmTarget>()
    const [url, source] = Option.match(env, {
      onSome: ({ value, variable }) => [value, variable] as const,
      onNone: () => [Redacted.make(fromFile!), `profiles.${key}.webhook_url`] as const
    })
    const protocol = parsed(Redacted.value(url))?.protocol
    if (protocol !== "http:" && protocol !== "https:") return yield* fail(`${source}: expected an http(s) URL`)
    return Option.some<CrmTarget>({ _tag: "Webhook", url, source })
  })

const amoCrmOf = (key: string, perBrand: PerBrandSettings) =>
  Effect.gen(function*() {
    const url = valueOfBrand(perBrand.AMOCRM_URL, key)
    const token = valueOfBrand(perBrand.AMOCRM_TOKEN, key)
    const pipeline = valueOfBrand(perBrand.AMOCRM_PIPELINE_ID, key)
    if (Option.isNone(url) && Option.isNone(token)) {
      if (Option.isNone(pipeline)) return Option.none<CrmTarget>()
      const p = pipeline.value
      return yield* fail(
        `${p.variable} is set but ${sibling(p, "AMOCRM_PIPELINE_ID", "AMOCRM_URL")} and ` +
          `${sibling(p, "AMOCRM_PIPELINE_ID", "AMOCRM_TOKEN")} are not: the pipeline is an amoCRM account's`
      )
    }
    if (Option.isNone(token)) {
      const u = Option.getOrThrow(url)
      return yield* fail(
        `${u.variable} is set but ${sibling(u, "AMOCRM_URL", "AMOCRM_TOKEN")} is not: amoCRM needs both`
      )
    }
    if (Option.isNone(url)) {
      const t = token.value
      return yield* fail(
        `${t.variable} is set but ${sibling(t, "AMOCRM_TOKEN", "AMOCRM_URL")} is not: amoCRM needs both`
      )
    }
    const address = parsed(url.value.value.trim())
    if (address === undefined || !secure(address)) {
      return yield* fail(`${url.value.variable}: expected the account's https URL, such as https://agency.amocrm.ru`)
    }
    if (address.pathname !== "/" || address.search !== "" || address.username !== "") {
      return yield* fail(`${url.value.variable}: expected the account's address only, such as https://agency.amocrm.ru`)
    }
    if (Option.isSome(pipeline) && pipeline.value.value <= 0) {
      return yield* fail(`${pipeline.value.variable}: expected a pipeline's id (a whole number above 0)`)
    }
    return Option.some<CrmTarget>({
      _tag: "AmoCrm",
      url: address.origin,
      token: token.value.value,
      pipelineId: Option.map(pipeline, ({ value }) => value),
      urlVariable: url.value.variable,
      tokenVariable: token.value.variable
    })
  })

/** `/rest/<user id>/<code>/`: the path of an inbound webhook (the method's name goes after it). */
const WEBHOOK_PATH = /^\/rest\/\d+\/[^/]+\/?$/
const SOURCE_ID = /^[A-Za-z0-9_]{1,50}$/

const bitrix24Of = (key: string, perBrand: PerBrandSettings) =>
  Effect.gen(function*() {
    const url = valueOfBrand(perBrand.BITRIX24_WEBHOOK_URL, key)
    const source = valueOfBrand(perBrand.BITRIX24_SOURCE_ID, key)
    if (Option.isNone(url)) {
      if (Option.isNone(source)) return Option.none<CrmTarget>()
      const s = source.value
      return yield* fail(
        `${s.variable} is set but ${sibling(s, "BITRIX24_SOURCE_ID", "BITRIX24_WEBHOOK_URL")} is not: ` +
          `the source is a Bitrix24 lead's`
      )
    }
    // Never the URL itself in a line: its path is the webhook's secret.
    const address = parsed(Redacted.value(url.value.value).trim())
    if (address === undefined || !secure(address) || !WEBHOOK_PATH.test(address.pathname) || address.search !== "") {
      return yield* fail(
        `${url.value.variable}: expected an inbound webhook's https URL, such as https://agency.bitrix24.ru/rest/1/<code>/`
      )
    }
    const sourceId = Option.match(source, { onNone: () => "WEB", onSome: ({ value }) => value.trim() })
    if (!SOURCE_ID.test(sourceId)) {
      return yield* fail(`${Option.getOrThrow(source).variable}: expected a source id such as WEB (A-Z, 0-9, _)`)
    }
    const base = `${address.origin}${address.pathname.replace(/\/?$/, "/")}`
    return Option.some<CrmTarget>({
      _tag: "Bitrix24",
      url: Redacted.make(base),
      sourceId,
      urlVariable: url.value.variable
    })
  })

/** Where a kind came from, for the line that says a brand has two. */
const sourceOf = (target: CrmTarget) =>
  target._tag === "Webhook" ? target.source : target._tag === "AmoCrm" ? target.urlVariable : target.urlVariable

/**
 * A brand's CRM: a webhook, amoCRM or Bitrix24, or none. Two kinds for one brand, half of a pair, a URL that is not
 * https (but a local stand-in's) stop start-up with one line naming the variables, never their values.
 */
export const brandCrm = (
  key: string,
  webhookFromFile: string | undefined,
  perBrand: PerBrandSettings
): Effect.Effect<Option.Option<CrmTarget>, StartupError> =>
  Effect.gen(function*() {
    const kinds = [
      yield* webhookOf(key, webhookFromFile, perBrand),
      yield* amoCrmOf(key, perBrand),
      yield* bitrix24Of(key, perBrand)
    ].flatMap(Option.toArray)
    if (kinds.length > 1) {
      return yield* fail(`${kinds.map(sourceOf).join(" and ")}: one CRM a brand (${key}); keep one`)
    }
    return Option.fromNullable(kinds[0])
  })
