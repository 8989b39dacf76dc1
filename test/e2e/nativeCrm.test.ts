import { afterEach, describe, expect, it } from "vitest"

import { AmoCrmSim } from "../../sim/AmoCrmSim.js"
import { Bitrix24Sim } from "../../sim/Bitrix24Sim.js"
import type { SimUser } from "../../sim/TelegramSim.js"
import { localesFileWith } from "../support/locales.js"
import { agencyOnAmoCrm, agencyOnBitrix24 } from "../support/nativeCrmEnv.js"
import { galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const anna: SimUser = { id: 9001, first_name: "Анна", username: "anna" }
const SERVICE = "📈 Привлечь клиентов"

const locales = () =>
  localesFileWith((j) => {
    j.campaigns = { vk_spring: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring26" } }
  })

/** agency on a native CRM instead of its webhook, with the campaign; cg and express stay on theirs. */
const onAmoCrm = (amo: AmoCrmSim) => ({ LOCALES_PATH: locales(), ...agencyOnAmoCrm(amo) })
const onBitrix24 = (bitrix: Bitrix24Sim) => ({ LOCALES_PATH: locales(), ...agencyOnBitrix24(bitrix) })

describe("agency's leads in amoCRM and Bitrix24 themselves, the real bot against the stand-ins", () => {
  let h: Harness | undefined
  const closers: Array<() => Promise<void>> = []
  afterEach(async () => {
    await h?.stop()
    h = undefined
    for (const close of closers.splice(0)) await close()
  })
  const amoCrm = async () => {
    const amo = await AmoCrmSim.start()
    closers.push(() => amo.close())
    return amo
  }
  const bitrix24 = async () => {
    const bitrix = await Bitrix24Sim.start()
    closers.push(() => bitrix.close())
    return bitrix
  }

  /** The person opens the campaign's link and taps; the follow-up ask is their last message. */
  const tapFrom = async (person: SimUser, start = "agency-vk_spring") => {
    const harness = h!
    harness.telegram.sendText(person, `/start ${start}`)
    await harness.telegram.waitFor("the menu", () => harness.telegram.botMessages(person.id)[0])
    harness.telegram.tap(person, SERVICE)
    await harness.telegram.waitFor(
      "the confirmation",
      () => harness.telegram.botMessages(person.id).find((m) => m.text.includes("Принято"))
    )
  }

  /** The follow-up's message in the admin chat, once it is there. */
  const followUpPosted = (text: string) =>
    h!.telegram.waitFor("the follow-up in the admin chat", () => h!.telegram.admin.find((m) => m.text.includes(text)))

  it(
    "amoCRM: lead, contact, UTM and tags, its note; then follow-ups, a later phone, a reply and the client's answer",
    async () => {
      const amo = await amoCrm()
      h = await startHarness(onAmoCrm(amo))
      await tapFrom(galliard)
      const [lead] = await h.telegram.waitFor("the lead and its note", () => {
        const view = amo.view()
        return view.length === 1 && view[0]!.notes.length === 1 ? view : undefined
      })
      expect(lead!.name).toMatch(/^MONSTER AGENCY: Привлечь клиентов · [\w-]+$/)
      expect(lead!.tags).toEqual(["agency", "vk_spring"])
      expect(lead!.custom_fields_values).toEqual(expect.arrayContaining([
        { field_code: "UTM_SOURCE", values: [{ value: "vk" }] },
        { field_code: "UTM_MEDIUM", values: [{ value: "cpc" }] },
        { field_code: "UTM_CAMPAIGN", values: [{ value: "spring26" }] }
      ]))
      expect(lead!.contact).toMatchObject({ name: "Galliard", custom_fields_values: [] })
      expect(lead!.notes[0]).toContain("Username: @betterrman")
      expect(lead!.notes[0]).toContain("Telegram ID: 501")
      expect(h.logs.filter((l) => l.includes("level=ERROR"))).toEqual([])

      h.telegram.sendText(galliard, "https://example.com")
      const posted = await followUpPosted("https://example.com")
      h.telegram.sendContact(galliard, "+79001234567")
      await h.telegram.waitFor("the phone on the contact", () => amo.view()[0]!.contact!.custom_fields_values[0])
      expect(amo.view()[0]!.contact!.custom_fields_values).toEqual([
        { field_code: "PHONE", values: [{ value: "+79001234567", enum_code: "MOB" }] }
      ])

      // A manager answers the follow-up's message: the person has it, and so does the lead in amoCRM.
      h.telegram.sendText(anna, "Позвоню в 12", h.telegram.adminChatId, posted.message_id)
      await h.telegram.waitFor("the reply's note", () => amo.view()[0]!.notes.length === 3)
      h.telegram.sendText(galliard, "А сроки?")
      await h.telegram.waitFor("the client's note", () => amo.view()[0]!.notes.length === 4)
      expect(amo.view()[0]!.notes.slice(1)).toEqual([
        "https://example.com",
        "Менеджер Анна (@anna): Позвоню в 12",
        "Клиент: А сроки?"
      ])
      expect(amo.leads).toHaveLength(1)
      expect(amo.contacts).toHaveLength(1)
    },
    60_000
  )

  it(
    "Bitrix24: lead with name, source and UTM; follow-ups and a reply as timeline comments; a later phone",
    async () => {
      const bitrix = await bitrix24()
      h = await startHarness(onBitrix24(bitrix))
      await tapFrom(maria)
      const [lead] = await h.telegram.waitFor(
        "the lead",
        () => (bitrix.view().length === 1 ? bitrix.view() : undefined)
      )
      expect(lead).toMatchObject({
        TITLE: "MONSTER AGENCY: Привлечь клиентов",
        NAME: "Мария",
        LAST_NAME: "Иванова",
        SOURCE_ID: "WEB",
        UTM_SOURCE: "vk",
        UTM_CAMPAIGN: "spring26",
        ORIGINATOR_ID: "leadbot"
      })
      expect(lead!.comments).toEqual([])

      h.telegram.sendText(maria, "Нужен лендинг")
      const posted = await followUpPosted("Нужен лендинг")
      h.telegram.sendContact(maria, "+79007654321")
      await h.telegram.waitFor("the phone on the lead", () => bitrix.view()[0]!.PHONE?.[0])
      expect(bitrix.view()[0]!.PHONE).toEqual([expect.objectContaining({ VALUE: "+79007654321" })])
      h.telegram.sendText(anna, "Пришлю примеры", h.telegram.adminChatId, posted.message_id)
      await h.telegram.waitFor("the reply's comment", () => bitrix.view()[0]!.comments.length === 2)
      expect(bitrix.view()[0]!.comments).toEqual(["Нужен лендинг", "Менеджер Анна (@anna): Пришлю примеры"])
      expect(bitrix.leads).toHaveLength(1)
    },
    60_000
  )

  it.each([
    [{ kind: "status", status: 400 } as const, "ошибка HTTP-клиента", "client error"],
    [{ kind: "unauthorized" } as const, "ошибка HTTP-клиента", "client error"],
    [{ kind: "tooMany" } as const, "CRM ответила ошибкой: HTTP 429", "HTTP 429"],
    [{ kind: "status", status: 500 } as const, "CRM ответила ошибкой: HTTP 500", "HTTP 500"],
    // No answer: amoCRM may have made it (its search a second later did not answer either), so the managers check.
    [{ kind: "hang" } as const, "CRM не ответила вовремя — лид может уже быть в CRM", "timed out after 1000 ms"]
  ])("amoCRM %o: the fallback says why, a log line says which error, no lead in amoCRM", async (mode, reason, line) => {
    const amo = await amoCrm()
    h = await startHarness({ ...onAmoCrm(amo), CRM_TIMEOUT_MS: "1000" })
    await amo.setMode(mode)
    await tapFrom(galliard, "agency")
    const fallback = await h.telegram.waitFor(
      "the fallback",
      () => h!.telegram.admin.find((m) => m.text.includes("FALLBACK")),
      15_000
    )
    expect(fallback.text).toContain(`Причина: ${reason}`)
    // One line names the brand and its CRM (a client error is the operator's to fix).
    expect(h.logs.some((l) => l.includes("level=WARN") && l.includes("amoCRM of agency: ") && l.includes(line))).toBe(
      true
    )
    expect(amo.leads).toHaveLength(0)
  }, 30_000)

  it(
    "amoCRM made the lead but its answer never came: asked a moment later, it has it; no fallback, no second lead",
    async () => {
      const amo = await amoCrm()
      h = await startHarness({ ...onAmoCrm(amo), CRM_TIMEOUT_MS: "1000" })
      await amo.setMode({ kind: "acceptThenHang" }, 1)
      await tapFrom(galliard, "agency")
      await h.telegram.waitFor(
        "the lead found by its search",
        () => h!.logs.some((l) => l.includes("the CRM had the lead after all (amoCRM lead")),
        20_000
      )
      await h.telegram.waitFor("its note", () => amo.notes.length === 1)
      expect(amo.leads).toHaveLength(1)
      expect(amo.received.some((r) => r.method === "GET" && r.path.startsWith("/api/v4/leads?query="))).toBe(true)
      expect(h.telegram.admin.filter((m) => m.text.includes("FALLBACK"))).toEqual([])
    },
    40_000
  )

  it(
    "the same with the managers' chat down too after a timeout nobody answered: the next attempt searches first",
    async () => {
      const amo = await amoCrm()
      h = await startHarness({ ...onAmoCrm(amo), CRM_TIMEOUT_MS: "1000" })
      // The lead made, its answer and the search lost: the fallback is tried, and fails; the retry asks first.
      await amo.setMode({ kind: "acceptThenHang" }, 2)
      h.telegram.adminFault = { kind: "500", times: 1 }
      await tapFrom(galliard, "agency")
      await h.telegram.waitFor(
        "the lead found on the retry",
        () => h!.logs.some((l) => l.includes("the CRM had the lead already (amoCRM lead")),
        20_000
      )
      await h.telegram.waitFor("its note", () => amo.notes.length === 1)
      expect(amo.leads).toHaveLength(1)
      expect(h.telegram.admin.filter((m) => m.text.includes("FALLBACK"))).toEqual([])
    },
    40_000
  )

  it("at start, amoCRM down: a warning naming it, and the bot takes leads (the fallback has them)", async () => {
    const amo = await amoCrm()
    const url = amo.url
    await amo.close()
    closers.splice(0)
    h = await startHarness({ ...onAmoCrm(amo), AMOCRM_URL_AGENCY: url, CRM_TIMEOUT_MS: "1000" })
    expect(h.logs.some((l) => l.includes("level=WARN") && l.includes("amoCRM"))).toBe(true)
    await tapFrom(galliard, "agency")
    await h.telegram.waitFor("the fallback", () => h!.telegram.admin.find((m) => m.text.includes("FALLBACK")))
  }, 30_000)
})
