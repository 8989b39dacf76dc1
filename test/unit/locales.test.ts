import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Option, Redacted } from "effect"

import { perBrandSettings } from "../../src/config/perBrand.js"
import { fillText } from "../../src/profiles/LocalesSchema.js"
import { decodeLocales, makeProfiles } from "../../src/profiles/Profiles.js"
import { leadButton } from "../../src/telegram/buttons.js"
import { parseTelegramHtml } from "../../src/telegram/parseTelegramHtml.js"
import { localesWith, shippedLocales } from "../support/locales.js"

/** The brands of `json` with the per-brand variables of `env` as AppConfig reads them (names split at "_"). */
const profilesWith = (json: string, env: Record<string, string>) =>
  perBrandSettings.pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" })),
    Effect.flatMap((perBrand) => makeProfiles(Either.getOrThrow(decodeLocales(json)), perBrand))
  )

describe("locales.json", () => {
  const locales = Either.getOrThrow(decodeLocales(shippedLocales))

  it("ships the three brands with the seed's buttons and a few more", () => {
    expect(Object.keys(locales.profiles)).toEqual(["agency", "cg", "express"])
    const titles = (key: string) => locales.profiles[key]!.services.map((s) => `${s.icon} ${s.title}`)
    expect(titles("agency")).toContain("📈 Привлечь клиентов")
    expect(titles("cg")).toContain("🤖 AI-видео")
    expect(titles("express")).toContain("💻 Сайт / Лендинг")
    for (const profile of Object.values(locales.profiles)) expect(profile.services.length).toBeGreaterThanOrEqual(3)
    expect(locales.profiles.agency!.name).toBe("MONSTER AGENCY")
    expect(Object.values(locales.profiles).every((p) => p.webhook_url === undefined)).toBe(true)
  })

  it("every text is valid Telegram HTML and every button fits in 64 bytes of callback_data", () => {
    const texts = [
      ...Object.values(locales.texts),
      ...Object.values(locales.profiles).flatMap((p) => [p.welcome, p.follow_up_ask])
    ]
    for (const text of texts) expect(parseTelegramHtml(text)).toMatchObject({ ok: true })
    for (const [key, p] of Object.entries(locales.profiles)) {
      for (const s of p.services) expect(Buffer.byteLength(leadButton(key, s.id))).toBeLessThanOrEqual(64)
    }
  })

  it.each<readonly [string, () => string, RegExp]>([
    ["not JSON", () => "{ oops", / at line 1, column 3$/],
    ["a JSON syntax error", () => "{\n  \"texts\": {\n    \"accepted\": \"x\",\n  }\n}", / at line 4, column 3$/],
    ["a cut-off file", () => "{\n  \"texts\": ", /^Unexpected end of JSON input at line 2, column 12$/],
    // Node 20's JSON.parse names no position for an unexpected token: it is found in the text.
    [
      "an unexpected token",
      () => "{\n  \"profiles\": {\n    \"agency\": }\n}",
      /^Unexpected token '}' at line 3, column 15$/
    ],
    [
      "an unclosed tag",
      () => localesWith((j) => (j.profiles.cg.welcome = "<b>unclosed")),
      /^profiles\.cg\.welcome: not valid Telegram HTML: Can't find end tag corresponding to start tag "b"/
    ],
    [
      "a stray &",
      () => localesWith((j) => (j.texts.strategist = "Tom & Jerry")),
      /^texts\.strategist: not valid Telegram HTML: Character entity expected/
    ],
    [
      "a tag Telegram does not know",
      () => localesWith((j) => (j.profiles.agency.follow_up_ask = "<h1>Hi</h1>")),
      /^profiles\.agency\.follow_up_ask: not valid Telegram HTML: Unsupported start tag "h1"/
    ],
    [
      "a broken confirmation",
      () => localesWith((j) => (j.texts.accepted = "<i>{title}")),
      /^texts\.accepted: not valid Telegram HTML/
    ],
    [
      "HTML in a pop-up",
      () => localesWith((j) => (j.texts.already_accepted = "<b>Уже</b>")),
      /^texts\.already_accepted: a pop-up is plain text/
    ],
    [
      "a pop-up too long",
      () => localesWith((j) => (j.texts.stale_menu = "x".repeat(201))),
      /^texts\.stale_menu: a pop-up is at most 200 characters$/
    ],
    [
      "a welcome too long",
      () => localesWith((j) => (j.profiles.express.welcome = "x".repeat(4097))),
      /^profiles\.express\.welcome: longer than Telegram's 4096 characters$/
    ],
    ["a missing text", () => localesWith((j) => delete j.texts.strategist), /^texts\.strategist: is missing$/],
    [
      "a wrong type deep inside",
      () => localesWith((j) => (j.profiles.cg.services[1].title = 5)),
      /^profiles\.cg\.services\[1\]\.title: Expected string, actual 5$/
    ],
    ["a bad profile key", () => localesWith((j) => (j.profiles["Bad Key"] = j.profiles.cg)), /^profiles\.Bad Key: /],
    [
      "a typo in a key",
      () => localesWith((j) => (j.profiles.express.follow_up_aks = "…")),
      /^profiles\.express\.follow_up_aks: is unexpected/
    ],
    [
      "duplicate service ids",
      () => localesWith((j) => (j.profiles.agency.services[1].id = "clients")),
      /^profiles\.agency\.services: service ids must be unique$/
    ],
    [
      "no {title} in the confirmation",
      () => localesWith((j) => (j.texts.accepted = "Принято")),
      /^texts\.accepted: expected a text containing \{title\}$/
    ],
    [
      "a typo'd UTM key in a campaign",
      () => localesWith((j) => (j.campaigns = { vk_spring: { utm_sorce: "vk" } })),
      /^campaigns\.vk_spring\.utm_sorce: is unexpected/
    ],
    [
      "a campaign code outside the deep-link grammar",
      () => localesWith((j) => (j.campaigns = { "vk-spring": { utm_source: "vk" } })),
      /^campaigns\.vk-spring: is unexpected, expected: a string matching the pattern \^\[A-Za-z0-9_\]\{1,48\}\$$/
    ],
    [
      "an empty UTM value",
      () => localesWith((j) => (j.campaigns = { vk_spring: { utm_medium: "" } })),
      /^campaigns\.vk_spring\.utm_medium: expected a non-empty text$/
    ],
    [
      "a placeholder off_hours does not have",
      () => localesWith((j) => (j.texts.off_hours = "Вне часов {day_ru}")),
      /^texts\.off_hours: unknown placeholder \{day_ru\} \(this text knows \{days_ru\}, \{from\}, \{to\}\)$/
    ],
    [
      "a second placeholder in the confirmation",
      () => localesWith((j) => (j.texts.accepted = "✅ {title} для {brand}")),
      /^texts\.accepted: unknown placeholder \{brand\} \(this text knows \{title\}\)$/
    ],
    [
      "a placeholder in a text that has none",
      () => localesWith((j) => (j.texts.strategist = "{name}, наш стратег свяжется с вами")),
      /^texts\.strategist: unknown placeholder \{name\} \(this text has no placeholders\)$/
    ],
    [
      "a placeholder in a button",
      () => localesWith((j) => (j.texts.share_phone = "📱 {phone}")),
      /^texts\.share_phone: unknown placeholder \{phone\} \(this text has no placeholders\)$/
    ],
    [
      "a placeholder in a brand's welcome",
      () => localesWith((j) => (j.profiles.cg.welcome = "Привет, {name}!")),
      /^profiles\.cg\.welcome: unknown placeholder \{name\} \(this text has no placeholders\)$/
    ],
    [
      "a placeholder in a brand's follow-up ask",
      () => localesWith((j) => (j.profiles.agency.follow_up_ask = "Ваш сайт, {minutes}?")),
      /^profiles\.agency\.follow_up_ask: unknown placeholder \{minutes\} \(this text has no placeholders\)$/
    ]
  ])("%s → one line naming the JSON path", (_, make, expected) => {
    const result = decodeLocales(make())
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left).toMatch(expected)
      expect(result.left).not.toContain("\n")
    }
  })

  it.effect.each(
    [
      [
        { CRM_WEBHOOK_URL_CG: "crm.example/api/webhook/secret-path" },
        {},
        "CRM_WEBHOOK_URL_CG: expected an http(s) URL"
      ],
      [{}, { express: "ftp://crm.example/secret-path" }, "profiles.express.webhook_url: expected an http(s) URL"]
    ] as const
  )(
    "a webhook URL that is not http(s) stops start-up naming where it came from, not the URL: %o %o",
    ([env, file, line]) =>
      Effect.gen(function*() {
        const json = localesWith((j) => {
          for (const [key, url] of Object.entries(file)) j.profiles[key].webhook_url = url
        })
        const error = yield* Effect.flip(profilesWith(json, env))
        expect(error.message).toBe(line)
        expect(error.message).not.toContain("secret-path")
      })
  )

  it.effect("a CRM_WEBHOOK_URL_<X> whose <X> is no brand stops start-up naming it", () =>
    Effect.gen(function*() {
      const env = { CRM_WEBHOOK_URL_AGENCY: "https://env.example/a", CRM_WEBHOOK_URL_AGENSY: "x" }
      const error = yield* Effect.flip(profilesWith(localesWith(() => {}), env))
      expect(error.message).toBe(
        "CRM_WEBHOOK_URL_AGENSY: names no brand of locales.json (its brands: agency, cg, express)"
      )
    }))

  it.effect("CRM_WEBHOOK_URL_<PROFILE> overrides webhook_url from the file", () =>
    Effect.gen(function*() {
      const json = localesWith((j) => {
        j.profiles.agency.webhook_url = "https://file.example/hook"
        j.profiles.cg.webhook_url = "https://file.example/cg"
      })
      const profiles = yield* profilesWith(json, { CRM_WEBHOOK_URL_AGENCY: "https://env.example/hook" })
      const url = (key: string) =>
        Option.flatMap(profiles.get(key), (p) =>
          Option.flatMap(
            p.crm,
            (crm) => (crm._tag === "Webhook" ? Option.some(Redacted.value(crm.url)) : Option.none())
          ))
      expect(url("agency")).toEqual(Option.some("https://env.example/hook"))
      expect(url("cg")).toEqual(Option.some("https://file.example/cg"))
      expect(url("express")).toEqual(Option.none())
    }))

  it("braces around anything but a name are text, not a placeholder", () => {
    const result = decodeLocales(localesWith((j) => (j.texts.strategist = "Формат: {имя} { } {a-b}")))
    expect(Either.map(result, (l) => l.texts.strategist)).toEqual(Either.right("Формат: {имя} { } {a-b}"))
  })

  it("what fills a text reads the same list as the check: every declared placeholder filled, each time", () => {
    const texts = Either.getOrThrow(
      decodeLocales(localesWith((j) => (j.texts.accepted = "{title}: {title}, <i>{title}</i>")))
    ).texts
    expect(fillText(texts, "accepted", { title: "a $& b" })).toBe("a $& b: a $& b, <i>a $& b</i>")
    const filled = fillText(locales.texts, "off_hours", { days_ru: "пн–пт", from: "10:00", to: "19:00" })
    expect(filled).toContain("пн–пт с 10:00 до 19:00")
    expect(filled).not.toMatch(/\{\w+\}/)
    expect(fillText(locales.texts, "accepted", { title: "Сайт" })).toBe("✅ Принято: Сайт.")
  })
})
