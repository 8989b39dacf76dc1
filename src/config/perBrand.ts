import { Config, type ConfigError, type ConfigProvider, Effect, Option } from "effect"

import { StartupError } from "./StartupError.js"

export const CHAT_ID = "a chat id, such as -1001234567890"

/** A brand's value of one per-brand variable, and the variable as the environment spells it (for its lines). */
export interface BrandValue<A> {
  readonly variable: string
  readonly value: A
}

/** One per-brand variable's values by brand key, lowercase: a brand key is matched in any case. */
export type PerBrand<A> = ReadonlyMap<string, BrandValue<A>>

/** A brand's value of a per-brand variable, when the environment sets one. */
export const valueOfBrand = <A>(values: PerBrand<A>, brand: string): Option.Option<BrandValue<A>> =>
  Option.fromNullable(values.get(brand.toLowerCase()))

/** A setting that must not be empty (an empty number would read as 0): one line says it is, and what it takes. */
export const filledSetting = <A>(variable: string, expected: string, read: (variable: string) => Config.Config<A>) =>
  Effect.gen(function*() {
    const written = yield* Config.string(variable)
    if (written.trim() === "") return yield* new StartupError({ message: `${variable} is empty: expected ${expected}` })
    return yield* read(variable)
  })

interface Listed {
  readonly variable: string
  /** Nothing is listed below it: it must be a variable itself. */
  readonly leaf: boolean
}

/** Every name the provider lists below `path`, a part at a time: a brand key may have "_" in it (`my_brand`). */
const listedBelow = (
  flat: ConfigProvider.ConfigProvider.Flat,
  path: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Listed>, ConfigError.ConfigError> =>
  Effect.flatMap(flat.enumerateChildren(path), (children) =>
    Effect.map(
      Effect.forEach([...children].sort(), (child) => {
        const below = [...path, child]
        return Effect.map(listedBelow(flat, below), (deeper) => [
          { variable: below.join("_"), leaf: deeper.length === 0 },
          ...deeper
        ])
      }),
      (found) => found.flat()
    ))

/**
 * `<name>_<BRAND>` for every brand the environment sets it for, each brand key once whatever its case: the value as
 * `read` makes it; `expected` says what it must be when it is empty.
 */
const perBrand = <A>(
  name: string,
  expected: string,
  read: (variable: string) => Config.Config<A>
): Effect.Effect<PerBrand<A>, ConfigError.ConfigError | StartupError> =>
  Effect.gen(function*() {
    const listed = yield* Effect.configProviderWith((provider) => listedBelow(provider.flattened, name.split("_")))
    const values = new Map<string, BrandValue<A>>()
    for (const { leaf, variable } of listed) {
      const written = yield* Config.option(Config.string(variable))
      if (Option.isNone(written)) {
        if (!leaf) continue
        return yield* new StartupError({
          message: `${variable}: listed by the environment but not found under that name (a provider that changes ` +
            `names' case: set one that keeps it)`
        })
      }
      const brand = variable.slice(name.length + 1).toLowerCase()
      const twin = values.get(brand)
      if (twin !== undefined) {
        return yield* new StartupError({
          message: `${twin.variable} and ${variable} are one brand's (${brand}): brand keys are matched in any case; ` +
            `keep one`
        })
      }
      values.set(brand, { variable, value: yield* filledSetting(variable, `${expected} (or leave it unset)`, read) })
    }
    return values
  })

/**
 * The variables set once per brand, `<NAME>_<BRAND>`, each read at start for every brand that sets it (its key is
 * its name). Adding one is a line here; its values are then AppConfig's `perBrand.<NAME>`.
 */
export const perBrandSettings = Effect.all({
  ADMIN_CHAT_ID: perBrand("ADMIN_CHAT_ID", CHAT_ID, Config.integer),
  CRM_WEBHOOK_URL: perBrand("CRM_WEBHOOK_URL", "an http(s) URL", (variable) => Config.redacted(variable)),
  AMOCRM_URL: perBrand("AMOCRM_URL", "the account's https URL, such as https://agency.amocrm.ru", Config.string),
  AMOCRM_TOKEN: perBrand("AMOCRM_TOKEN", "a private integration's long-lived token", (v) => Config.redacted(v)),
  AMOCRM_PIPELINE_ID: perBrand("AMOCRM_PIPELINE_ID", "a pipeline's id (a whole number)", Config.integer),
  BITRIX24_WEBHOOK_URL: perBrand("BITRIX24_WEBHOOK_URL", "an inbound webhook's https URL", (v) => Config.redacted(v)),
  BITRIX24_SOURCE_ID: perBrand("BITRIX24_SOURCE_ID", "a source id such as WEB", Config.string)
})

/** Every per-brand variable's values, by its name. */
export type PerBrandSettings = Effect.Effect.Success<typeof perBrandSettings>

/**
 * The per-brand variables set that name no brand of `brands`: a typo such as CRM_WEBHOOK_URL_AGENSY would otherwise
 * leave the brand it meant without its setting.
 */
export const variablesOfNoBrand = (
  settings: PerBrandSettings,
  brands: ReadonlyArray<string>
): ReadonlyArray<string> => {
  const keys = new Set(brands.map((brand) => brand.toLowerCase()))
  return Object.values<PerBrand<unknown>>(settings)
    .flatMap((values) => [...values].filter(([brand]) => !keys.has(brand)).map(([, { variable }]) => variable))
    .sort()
}
