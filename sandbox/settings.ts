import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseEnv } from "node:util"

import { Either } from "effect"

import { decodeLocales } from "../src/profiles/Profiles.js"

/** The sandbox could not start: one line for the person who ran it. */
export class SandboxStartError extends Error {}

/** What `--env FILE` and `--locales FILE` set up: the bot's settings as production has them, on the stand-ins. */
export interface SandboxSettings {
  /** The file's variables passed to the bot as they are (all but the sandbox's own). */
  readonly env: Readonly<Record<string, string>>
  /** The file's variables the sandbox sets itself instead: they point the bot at the stand-ins and its own store. */
  readonly replaced: ReadonlyArray<string>
  /** The locales file the bot reads (LOCALES_PATH), absolute; the shipped one when none is given. */
  readonly localesFile: string | undefined
  /** The brands of that locales.json, in its order, and its campaigns' codes. */
  readonly brands: ReadonlyArray<{ readonly key: string; readonly name: string }>
  readonly campaigns: ReadonlyArray<string>
  /** ADMIN_CHAT_ID, when the file sets it to a chat id: the stand-in's admin chat then has that id. */
  readonly adminChatId: number | undefined
  /** The other managers' chats the file names (ADMIN_CHAT_ID_<BRAND>): the stand-in makes each. */
  readonly managersChats: ReadonlyArray<{ readonly id: number; readonly variables: ReadonlyArray<string> }>
}

const SHIPPED_LOCALES = new URL("../locales/locales.json", import.meta.url)

/** Variables the sandbox sets itself, whatever the file says: the stand-ins', the store's, polling. */
const OWN = new Set([
  "BOT_TOKEN",
  "TELEGRAM_API_ROOT",
  "WEBHOOK_URL",
  "WEBHOOK_SECRET",
  "WEBHOOK_MAX_CONNECTIONS",
  "DATABASE_URL",
  "DATA_DIR",
  "PORT",
  "HOST"
])

/**
 * A brand's CRM variables (`<PREFIX><BRAND>`), the sandbox's own as well: its stand-ins, and the page's switch picks
 * the kind (the file's would be a second kind, which stops the bot, or a real CRM reached from the sandbox).
 */
const BRAND_CRM = [
  "CRM_WEBHOOK_URL_",
  "AMOCRM_URL_",
  "AMOCRM_TOKEN_",
  "AMOCRM_PIPELINE_ID_",
  "BITRIX24_WEBHOOK_URL_",
  "BITRIX24_SOURCE_ID_"
]

const CHAT_ID = /^-?\d+$/
/** The stand-in's admin chat when the file names none (TelegramSim's). */
export const DEFAULT_ADMIN_CHAT = -100777

const readText = (option: string, file: string): string => {
  try {
    return readFileSync(file, "utf8")
  } catch (error) {
    throw new SandboxStartError(`${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`)
  }
}

/** Each line of an env file is `NAME=value` (a comment, or a blank); a quoted value may span lines, as in dotenv. */
const checkEnvLines = (file: string, text: string) => {
  let open: string | undefined
  text.split(/\r?\n/).forEach((line, index) => {
    if (open !== undefined) {
      if (line.includes(open)) open = undefined
      return
    }
    const trimmed = line.trim()
    if (trimmed === "" || trimmed.startsWith("#")) return
    const assignment = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/.exec(trimmed)
    if (assignment === null) {
      throw new SandboxStartError(
        `--env ${file} line ${index + 1}: expected NAME=value (got "${trimmed.slice(0, 40)}")`
      )
    }
    const value = assignment[1]!
    const quote = value[0]
    if ((quote === "\"" || quote === "'" || quote === "`") && value.indexOf(quote, 1) < 0) open = quote
  })
}

/** The locales.json the bot will read, decoded as it decodes it; `option` names where it was given. */
const readLocales = (option: string, file: string) =>
  Either.getOrElse(decodeLocales(readText(option, file)), (reason) => {
    throw new SandboxStartError(`${option} ${file}: ${reason}`)
  })

/**
 * The settings of `npm run sandbox -- --env FILE --locales FILE`, read as the bot reads them; a file that cannot be
 * read, a line that is not `NAME=value` or a locales.json the bot would refuse is one line (SandboxStartError). The
 * values themselves are the bot's to check: it refuses a wrong one in its own line.
 */
export const readSettings = (files: { readonly env?: string; readonly locales?: string } = {}): SandboxSettings => {
  const written: Record<string, string> = {}
  if (files.env !== undefined) {
    const text = readText("--env", files.env)
    checkEnvLines(files.env, text)
    for (const [name, value] of Object.entries(parseEnv(text))) if (value !== undefined) written[name] = value
  }
  // LOCALES_PATH in the file is --locales (relative to where the sandbox runs, as npm start's bot reads it).
  const fromEnv = files.locales === undefined && written.LOCALES_PATH !== undefined
  const localesGiven = files.locales ?? written.LOCALES_PATH
  const locales = readLocales(
    fromEnv ? `--env ${files.env}: LOCALES_PATH` : "--locales",
    localesGiven ?? fileURLToPath(SHIPPED_LOCALES)
  )
  const brandKeys = new Set(Object.keys(locales.profiles))
  const own = (name: string) =>
    OWN.has(name) || name === "LOCALES_PATH" ||
    BRAND_CRM.some((prefix) => name.startsWith(prefix) && brandKeys.has(name.slice(prefix.length).toLowerCase()))
  const env = Object.fromEntries(Object.entries(written).filter(([name]) => !own(name)))
  const chatId = (value: string | undefined) => (value !== undefined && CHAT_ID.test(value) ? Number(value) : undefined)
  const adminChatId = chatId(env.ADMIN_CHAT_ID)
  // A chat named by several brands is one chat; the admin chat is the stand-in's own.
  const managersChats = new Map<number, Array<string>>()
  for (const [variable, value] of Object.entries(env)) {
    const id = chatId(value)
    if (!variable.startsWith("ADMIN_CHAT_ID_") || id === undefined || id === (adminChatId ?? DEFAULT_ADMIN_CHAT)) {
      continue
    }
    managersChats.set(id, [...(managersChats.get(id) ?? []), variable])
  }
  return {
    env,
    replaced: Object.keys(written).filter((name) => own(name) && !(name === "LOCALES_PATH" && fromEnv)),
    localesFile: localesGiven === undefined ? undefined : resolve(localesGiven),
    brands: Object.entries(locales.profiles).map(([key, profile]) => ({ key, name: profile.name })),
    campaigns: Object.keys(locales.campaigns ?? {}),
    adminChatId,
    managersChats: [...managersChats].map(([id, variables]) => ({ id, variables }))
  }
}
