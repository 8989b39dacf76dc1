import { describe, expect, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Effect, Either, Option, Redacted } from "effect"

import { perBrandSettings } from "../../src/config/perBrand.js"
import { brandCrmKind } from "../../src/crm/CrmTarget.js"
import { decodeLocales, makeProfiles } from "../../src/profiles/Profiles.js"
import { localesWith } from "../support/locales.js"

/** The brands of the shipped locales.json (agency, cg, express) with these variables set, as the bot reads them. */
const profilesWith = (env: Record<string, string>, json = localesWith(() => {})) =>
  perBrandSettings.pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" })),
    Effect.flatMap((perBrand) => makeProfiles(Either.getOrThrow(decodeLocales(json)), perBrand))
  )

const crmOf = (env: Record<string, string>, brand = "agency") =>
  profilesWith(env).pipe(Effect.map((profiles) => Option.flatMap(profiles.get(brand), (p) => p.crm)))

const lineOf = (env: Record<string, string>, json?: string) =>
  profilesWith(env, json).pipe(Effect.flip, Effect.map((e) => (ConfigError.isConfigError(e) ? String(e) : e.message)))

const AMO = { AMOCRM_URL_AGENCY: "https://agency.amocrm.ru", AMOCRM_TOKEN_AGENCY: "long-lived-secret-token" }
const BITRIX = { BITRIX24_WEBHOOK_URL_AGENCY: "https://agency.bitrix24.ru/rest/1/secret-code/" }

describe("a brand's CRM, from the per-brand variables", () => {
  it.effect("amoCRM: the account's origin, the token redacted, the pipeline a number, the variables named", () =>
    Effect.gen(function*() {
      const crm = yield* crmOf({ ...AMO, AMOCRM_PIPELINE_ID_AGENCY: "7001" })
      const target = Option.getOrThrow(crm)
      if (target._tag !== "AmoCrm") return expect.fail(`expected amoCRM, got ${target._tag}`)
      expect(target.url).toBe("https://agency.amocrm.ru")
      expect(Redacted.value(target.token)).toBe("long-lived-secret-token")
      expect(String(target.token)).not.toContain("secret")
      expect(target.pipelineId).toEqual(Option.some(7001))
      expect([target.urlVariable, target.tokenVariable]).toEqual(["AMOCRM_URL_AGENCY", "AMOCRM_TOKEN_AGENCY"])
      expect(brandCrmKind(crm)).toBe("amocrm")
    }))

  it.effect("Bitrix24: the webhook's URL (a slash added), source WEB by default or the one set; cg has none", () =>
    Effect.gen(function*() {
      const profiles = yield* profilesWith({
        BITRIX24_WEBHOOK_URL_agency: "https://agency.bitrix24.ru/rest/1/secret-code",
        BITRIX24_WEBHOOK_URL_EXPRESS: "https://express.bitrix24.ru/rest/7/other-code/",
        BITRIX24_SOURCE_ID_EXPRESS: "UC_TELEGRAM"
      })
      const crm = (brand: string) => Option.getOrThrow(Option.flatMap(profiles.get(brand), (p) => p.crm))
      expect(crm("agency")).toMatchObject({
        _tag: "Bitrix24",
        sourceId: "WEB",
        urlVariable: "BITRIX24_WEBHOOK_URL_agency"
      })
      const agency = crm("agency")
      if (agency._tag !== "Bitrix24") return expect.fail("expected Bitrix24")
      expect(Redacted.value(agency.url)).toBe("https://agency.bitrix24.ru/rest/1/secret-code/")
      expect(crm("express")).toMatchObject({ _tag: "Bitrix24", sourceId: "UC_TELEGRAM" })
      expect(Option.flatMap(profiles.get("cg"), (p) => p.crm)).toEqual(Option.none())
      expect(brandCrmKind(Option.none())).toBe("none")
    }))

  it.effect("the webhook as before: CRM_WEBHOOK_URL_<BRAND>", () =>
    Effect.gen(function*() {
      const profiles = yield* profilesWith({ CRM_WEBHOOK_URL_AGENCY: "http://127.0.0.1:9/hook/secret" })
      const agency = Option.getOrThrow(profiles.get("agency"))
      expect(agency.crm).toMatchObject(Option.some({ _tag: "Webhook", source: "CRM_WEBHOOK_URL_AGENCY" }))
      expect(Option.map(agency.crm, (t) => t._tag === "Webhook" && Redacted.value(t.url))).toEqual(
        Option.some("http://127.0.0.1:9/hook/secret")
      )
    }))

  it.effect("a local stand-in may be plain http (127.0.0.1, localhost)", () =>
    Effect.gen(function*() {
      const crm = yield* crmOf({ AMOCRM_URL_AGENCY: "http://127.0.0.1:4100", AMOCRM_TOKEN_AGENCY: "t" })
      expect(crm).toMatchObject(Option.some({ _tag: "AmoCrm", url: "http://127.0.0.1:4100" }))
      const bitrix = yield* crmOf({ BITRIX24_WEBHOOK_URL_AGENCY: "http://localhost:4200/rest/1/code/" })
      expect(bitrix).toMatchObject(Option.some({ _tag: "Bitrix24" }))
    }))

  it.effect.each(
    [
      [
        { ...AMO, ...BITRIX },
        "AMOCRM_URL_AGENCY and BITRIX24_WEBHOOK_URL_AGENCY: one CRM a brand (agency); keep one"
      ],
      [
        { CRM_WEBHOOK_URL_AGENCY: "https://crm.example/hook", ...AMO },
        "CRM_WEBHOOK_URL_AGENCY and AMOCRM_URL_AGENCY: one CRM a brand (agency); keep one"
      ],
      [
        { AMOCRM_URL_AGENCY: "https://agency.amocrm.ru" },
        "AMOCRM_URL_AGENCY is set but AMOCRM_TOKEN_AGENCY is not: amoCRM needs both"
      ],
      [
        { AMOCRM_TOKEN_agency: "secret-token" },
        "AMOCRM_TOKEN_agency is set but AMOCRM_URL_agency is not: amoCRM needs both"
      ],
      [
        { AMOCRM_PIPELINE_ID_AGENCY: "7001" },
        "AMOCRM_PIPELINE_ID_AGENCY is set but AMOCRM_URL_AGENCY and AMOCRM_TOKEN_AGENCY are not: the pipeline is an " +
        "amoCRM account's"
      ],
      [
        { BITRIX24_SOURCE_ID_AGENCY: "WEB" },
        "BITRIX24_SOURCE_ID_AGENCY is set but BITRIX24_WEBHOOK_URL_AGENCY is not: the source is a Bitrix24 lead's"
      ],
      [
        { ...AMO, AMOCRM_URL_AGENCY: "http://agency.amocrm.ru" },
        "AMOCRM_URL_AGENCY: expected the account's https URL, such as https://agency.amocrm.ru"
      ],
      [
        { ...AMO, AMOCRM_URL_AGENCY: "agency.amocrm.ru" },
        "AMOCRM_URL_AGENCY: expected the account's https URL, such as https://agency.amocrm.ru"
      ],
      [
        { ...AMO, AMOCRM_URL_AGENCY: "https://agency.amocrm.ru/leads/pipeline" },
        "AMOCRM_URL_AGENCY: expected the account's address only, such as https://agency.amocrm.ru"
      ],
      [
        { ...AMO, AMOCRM_PIPELINE_ID_AGENCY: "0" },
        "AMOCRM_PIPELINE_ID_AGENCY: expected a pipeline's id (a whole number above 0)"
      ],
      [
        { BITRIX24_WEBHOOK_URL_AGENCY: "http://agency.bitrix24.ru/rest/1/secret-code/" },
        "BITRIX24_WEBHOOK_URL_AGENCY: expected an inbound webhook's https URL, such as " +
        "https://agency.bitrix24.ru/rest/1/<code>/"
      ],
      [
        { BITRIX24_WEBHOOK_URL_AGENCY: "https://agency.bitrix24.ru/secret-code" },
        "BITRIX24_WEBHOOK_URL_AGENCY: expected an inbound webhook's https URL, such as " +
        "https://agency.bitrix24.ru/rest/1/<code>/"
      ],
      [
        { ...BITRIX, BITRIX24_SOURCE_ID_AGENCY: "Telegram bot" },
        "BITRIX24_SOURCE_ID_AGENCY: expected a source id such as WEB (A-Z, 0-9, _)"
      ],
      [
        { ...AMO, AMOCRM_URL_AGENSY: "https://agensy.amocrm.ru" },
        "AMOCRM_URL_AGENSY: names no brand of locales.json (its brands: agency, cg, express)"
      ]
    ] as const
  )("start-up stops with one line naming the variables, never a secret: %o", ([env, line]) =>
    Effect.gen(function*() {
      const said = yield* lineOf(env)
      expect(said).toBe(line)
      expect(said).not.toMatch(/secret/)
    }))

  it.effect("locales.json's webhook_url with amoCRM from the environment is two kinds too", () =>
    Effect.gen(function*() {
      const json = localesWith((j) => (j.profiles.agency.webhook_url = "https://file.example/hook/secret"))
      expect(yield* lineOf(AMO, json)).toBe(
        "profiles.agency.webhook_url and AMOCRM_URL_AGENCY: one CRM a brand (agency); keep one"
      )
    }))

  it.effect("an empty token or a pipeline that is no number: one line", () =>
    Effect.gen(function*() {
      expect(yield* lineOf({ ...AMO, AMOCRM_TOKEN_AGENCY: " " })).toBe(
        "AMOCRM_TOKEN_AGENCY is empty: expected a private integration's long-lived token (or leave it unset)"
      )
      expect(yield* lineOf({ ...AMO, AMOCRM_PIPELINE_ID_AGENCY: "main" })).toBe(
        "(Invalid data at AMOCRM_PIPELINE_ID_AGENCY: \"Expected an integer value but received \"main\"\")"
      )
    }))
})
