import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

import { makeTempDir } from "../../sim/tempDirs.js"

/** The shipped locales/locales.json, as its text. */
export const shippedLocales = readFileSync(new URL("../../locales/locales.json", import.meta.url), "utf8")

/** locales.json as plain JSON, to change (or break) on purpose. */
export interface LocalesJson {
  texts: Record<string, unknown>
  profiles: Record<string, Record<string, unknown> & { services: Array<Record<string, unknown>> }>
  campaigns?: Record<string, Record<string, unknown>>
  consent?: Record<string, unknown>
}

/** A consent section as an agency would write it (152-FZ): its version, its text with `{brand}`, its policy. */
export const CONSENT = {
  version: "2025-09-01",
  text: "<b>Согласие на обработку персональных данных</b>\nЯ даю согласие {brand} на обработку моих данных.",
  policy_url: "https://example.com/privacy"
} as const

/** The shipped locales with `change` made, as text. */
export const localesWith = (change: (json: LocalesJson) => void): string => {
  const json: LocalesJson = JSON.parse(shippedLocales)
  change(json)
  return JSON.stringify(json, null, 2)
}

/** The same as a file of its own, for LOCALES_PATH. */
export const localesFileWith = (change: (json: LocalesJson) => void): string => {
  const path = join(makeTempDir("locales"), "locales.json")
  writeFileSync(path, localesWith(change))
  return path
}
