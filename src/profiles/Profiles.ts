import { fileURLToPath } from "node:url"

import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Array as Arr, Effect, Either, Option, ParseResult, Schema } from "effect"
import { visit } from "jsonc-parser"

import { AppConfig } from "../config/AppConfig.js"
import { type PerBrandSettings, variablesOfNoBrand } from "../config/perBrand.js"
import { StartupError } from "../config/StartupError.js"
import { brandCrm } from "../crm/brandCrm.js"
import type { CrmTarget } from "../crm/CrmTarget.js"
import type { Utm } from "../lead/Campaign.js"
import { type Locales, LocalesFromJson } from "./LocalesSchema.js"
import type { WorkingHours } from "./workingHours.js"

export interface ServiceItem {
  readonly id: string
  readonly icon: string
  readonly title: string
}

export interface Profile {
  readonly key: string
  readonly name: string
  /** The brand's CRM: a webhook, amoCRM or Bitrix24; none: its leads go to the managers' chat. */
  readonly crm: Option.Option<CrmTarget>
  readonly welcome: string
  readonly services: ReadonlyArray<ServiceItem>
  readonly followUpAsk: string
  /** The follow-up ask offers a button that shares the person's phone. */
  readonly askPhone: boolean
  readonly hours: Option.Option<WorkingHours>
  /** A lead nobody took or answered this long (working minutes) gets a reminder in its managers' chat. */
  readonly slaMinutes: Option.Option<number>
  /** Reply templates by key (Telegram HTML with `{name}`, `{brand}`, `{service}`). */
  readonly templates: Readonly<Record<string, string>>
}

const defaultLocalesPath = fileURLToPath(new URL("../../locales/locales.json", import.meta.url))

/** Renders a decode failure as `path: message` for the first issue, e.g. `profiles.cg.services[0].title: ...`. */
export const formatParseError = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (!issue) return error.message
  const path = issue.path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  )
  return path === "" ? issue.message : `${path}: ${issue.message}`
}

/** Where the text first breaks JSON's grammar (jsonc-parser, strict: no comments, no trailing commas). */
const syntaxErrorOffset = (json: string): number | undefined => {
  let offset: number | undefined
  visit(json, { onError: (_error, at) => void (offset ??= at) }, { disallowComments: true, allowTrailingComma: false })
  return offset
}

/**
 * A JSON syntax error with the line and column an editor shows: from JSON.parse's "at position N" where it gives
 * one, else (Node 20 gives none for some errors, such as an unexpected token) from where the text breaks the grammar.
 */
export const withLineAndColumn = (message: string, json: string): string => {
  const at = (offset: number) => {
    const before = json.slice(0, offset).split("\n")
    return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`
  }
  const position = / in JSON at position (\d+)/.exec(message)
  if (position) return message.replace(position[0], ` at ${at(Number(position[1]))}`)
  if (/^Unexpected end of JSON input$/.test(message)) return `${message} at ${at(json.length)}`
  const offset = syntaxErrorOffset(json)
  // Its excerpt of the text (which may span lines) goes: the line and column say where.
  const bare = message.replace(/, [\s\S]* is not valid JSON$/, "")
  return offset === undefined ? message : `${bare} at ${at(offset)}`
}

/** Strict: an unknown key (a typo such as "follow_up_aks") is an error naming its path, not silently ignored. */
export const decodeLocales = (json: string): Either.Either<Locales, string> =>
  Schema.decodeUnknownEither(LocalesFromJson, { onExcessProperty: "error" })(json).pipe(
    Either.mapLeft((error) => withLineAndColumn(formatParseError(error), json))
  )

/** The brands of locales.json with what AppConfig read for them (`<NAME>_<BRAND>`, each named by a brand). */
export const makeProfiles = (locales: Locales, perBrand: PerBrandSettings) =>
  Effect.gen(function*() {
    const strays = variablesOfNoBrand(perBrand, Object.keys(locales.profiles))
    if (strays.length > 0) {
      return yield* new StartupError({
        message: `${strays[0]}: names no brand of locales.json (its brands: ${
          Object.keys(locales.profiles).join(", ")
        })`
      })
    }
    const profiles: Array<Profile> = []
    for (const [key, p] of Object.entries(locales.profiles)) {
      const crm = yield* brandCrm(key, p.webhook_url, perBrand)
      if (Option.isNone(crm)) {
        const brand = key.toUpperCase()
        yield* Effect.logWarning(
          `profile ${key} has no CRM (CRM_WEBHOOK_URL_${brand}, AMOCRM_URL_${brand} or ` +
            `BITRIX24_WEBHOOK_URL_${brand}); its leads go to the admin chat`
        )
      }
      profiles.push({
        key,
        name: p.name,
        crm,
        welcome: p.welcome,
        services: p.services,
        followUpAsk: p.follow_up_ask,
        askPhone: p.ask_phone,
        hours: Option.fromNullable(p.hours),
        slaMinutes: Option.fromNullable(p.sla_minutes),
        templates: p.templates
      })
    }
    const campaigns = locales.campaigns ?? {}
    return {
      texts: locales.texts,
      /** Consent as a step of its own, when locales.json asks for it. */
      consent: Option.fromNullable(locales.consent),
      /** A campaign's UTM fields from locales.json; none listed (or no campaign): `{}`. */
      utmOf: (campaign: Option.Option<string>): Utm =>
        Option.match(campaign, {
          onNone: () => ({}),
          onSome: (code) => (Object.hasOwn(campaigns, code) ? campaigns[code]! : {})
        }),
      all: profiles as ReadonlyArray<Profile>,
      get: (key: string): Option.Option<Profile> => Arr.findFirst(profiles, (p) => p.key === key)
    }
  })

/** locales.json (LOCALES_PATH, else the shipped one), read and decoded; a problem is one line naming the file. */
export const loadLocales = (localesPath: Option.Option<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = Option.getOrElse(localesPath, () => defaultLocalesPath)
    const json = yield* fs.readFileString(path).pipe(
      Effect.mapError((e) =>
        new StartupError({
          message: `${Option.isSome(localesPath) ? "LOCALES_PATH: " : ""}cannot read ${path}: ${e.message}`
        })
      )
    )
    return yield* Either.match(decodeLocales(json), {
      onLeft: (reason) => Effect.fail(new StartupError({ message: `${path}: ${reason}` })),
      onRight: Effect.succeed
    })
  })

/** The brands, their services and the texts the bot speaks: `locales.json` plus each brand's CRM from AppConfig. */
export class Profiles extends Effect.Service<Profiles>()("Profiles", {
  effect: Effect.gen(function*() {
    const { localesPath, perBrand } = yield* AppConfig
    return yield* makeProfiles(yield* loadLocales(localesPath), perBrand)
  }),
  dependencies: [NodeFileSystem.layer]
}) {}
