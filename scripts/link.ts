/**
 * `npm run link -- <brand> [<campaign>] [--bot <username>] [--qr <file.png>]`: prints a brand's deep link
 * (`https://t.me/<bot>?start=agency-vk_spring`), and with `--qr` writes a QR code of it, a PNG large enough to print.
 * The bot's username comes from Telegram (getMe with BOT_TOKEN), or from `--bot` with no token. The brand must be one
 * of locales.json (LOCALES_PATH); the campaign and the whole parameter must fit Telegram's deep-link grammar.
 */
import { existsSync } from "node:fs"

import { NodeFileSystem, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Option, Redacted } from "effect"
import { Api } from "grammy"
import QRCode from "qrcode"

import { StartupError } from "../src/config/StartupError.js"
import { reportStartupFailure } from "../src/config/startupFailure.js"
import { CAMPAIGN_PATTERN } from "../src/lead/Campaign.js"
import { loadLocales } from "../src/profiles/Profiles.js"
import { commandLine } from "./commandLine.js"

if (existsSync(".env")) process.loadEnvFile(".env")

const USAGE = "usage: npm run link -- <brand> [<campaign>] [--bot <username>] [--qr <file.png>]"
const HELP = `${USAGE}

Prints a brand's deep link (https://t.me/<bot>?start=<brand>-<campaign>, or ?start=<brand> with no campaign) and,
with --qr, writes a QR code of it to <file.png> (1024 px, large enough to print).
  <brand>            one of locales.json's brands (LOCALES_PATH)
  <campaign>         1-48 characters A-Z a-z 0-9 _ (e.g. vk_spring): credited with the leads of who opens it,
                     sent to the CRM, counted by /stats (UTM fields: its entry under campaigns in locales.json)
  --bot <username>   the bot's username; without it the bot asks Telegram (getMe with BOT_TOKEN, from the
                     environment or .env)`
/** Telegram's limit on a deep link's parameter. */
const PARAMETER_LIMIT = 64

const refuse = (message: string) => Effect.fail(new StartupError({ message }))

/** The bot's username: `--bot`, else Telegram's answer to getMe with BOT_TOKEN (TELEGRAM_API_ROOT for a stand-in). */
const botUsername = (given: string | undefined) =>
  Effect.gen(function*() {
    if (given !== undefined) {
      const username = given.replace(/^@/, "")
      return /^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(username)
        ? username
        : yield* refuse(`--bot: "${given}" is not a bot's username (5-32 characters A-Z a-z 0-9 _)`)
    }
    const token = yield* Config.option(Config.redacted("BOT_TOKEN"))
    if (Option.isNone(token)) {
      return yield* refuse("set BOT_TOKEN (the bot asks Telegram its name) or pass --bot <username>")
    }
    const apiRoot = yield* Config.string("TELEGRAM_API_ROOT").pipe(Config.withDefault("https://api.telegram.org"))
    const me = yield* Effect.tryPromise({
      try: () => new Api(Redacted.value(token.value), { apiRoot: apiRoot.replace(/\/+$/, "") }).getMe(),
      catch: (e) =>
        new StartupError({
          message: `BOT_TOKEN: Telegram did not say the bot's name (${
            e instanceof Error ? e.message : String(e)
          }): check BOT_TOKEN, or pass --bot <username> (no token needed then)`.replace(
            /bot\d+:[\w-]+/g,
            "bot<redacted>"
          )
        })
    })
    return me.username
  })

const { positionals, values } = commandLine("link", HELP, {
  allowPositionals: true,
  options: { bot: { type: "string" }, qr: { type: "string" } }
})

const program = Effect.gen(function*() {
  const [brand, campaign, ...extra] = positionals
  if (brand === undefined || extra.length > 0) return yield* refuse(USAGE)
  const locales = yield* loadLocales(Option.fromNullable(process.env.LOCALES_PATH))
  const brands = Object.keys(locales.profiles)
  if (!brands.includes(brand)) {
    return yield* refuse(`"${brand}" is no brand of locales.json (its brands: ${brands.join(", ")})`)
  }
  if (campaign !== undefined && !CAMPAIGN_PATTERN.test(campaign)) {
    return yield* refuse(`campaign "${campaign}": expected 1-48 characters A-Z a-z 0-9 _ (no "-": it ends the brand)`)
  }
  const parameter = campaign === undefined ? brand : `${brand}-${campaign}`
  if (parameter.length > PARAMETER_LIMIT) {
    return yield* refuse(`"${parameter}" is ${parameter.length} characters: Telegram takes at most ${PARAMETER_LIMIT}`)
  }
  const link = `https://t.me/${yield* botUsername(values.bot)}?start=${parameter}`
  yield* Console.log(link)
  if (values.qr !== undefined) {
    const file = values.qr
    yield* Effect.tryPromise({
      // 1024 px with a quiet zone of 4 modules: sharp on a poster; M recovers from a smudge.
      try: () => QRCode.toFile(file, link, { type: "png", width: 1024, margin: 4, errorCorrectionLevel: "M" }),
      catch: (e) => new StartupError({ message: `--qr ${file}: ${e instanceof Error ? e.message : String(e)}` })
    })
    yield* Console.log(`QR code: ${file}`)
  }
})

program.pipe(
  Effect.provide(NodeFileSystem.layer),
  Effect.tapErrorCause((cause) => reportStartupFailure(cause, (line) => line.replace(/^Cannot start: /, "link: "))),
  (main) => NodeRuntime.runMain(main, { disableErrorReporting: true })
)
