import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { type SimUser, TelegramSim } from "../../sim/TelegramSim.js"
import { botEnv } from "../../sim/world.js"
import { localesFileWith } from "../support/locales.js"
import { boss, galliard, maria } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const manager: SimUser = { id: 9001, first_name: "Анна", username: "anna_manager" }
const CG_CHAT = -100600
const EXPRESS_CHAT = -100700
const SERVICES = { agency: "📈 Привлечь клиентов", cg: "🤖 AI-видео", express: "💻 Сайт / Лендинг" } as const

/** The shipped locales, agency asking for the phone. */
const localesAskingPhone = () => localesFileWith((j) => (j.profiles.agency!.ask_phone = true))

describe("each brand its own team, the real bot against the stand-ins", () => {
  let h: Harness | undefined
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    await h?.stop()
    h = undefined
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const leadOf = async (person: SimUser, brand: keyof typeof SERVICES) => {
    const { telegram } = h!
    telegram.sendText(person, `/start ${brand}`)
    await telegram.waitFor(
      "the menu",
      () => telegram.botMessages(person.id).find((m) => m.keyboard.flat().some((b) => b.text === SERVICES[brand]))
    )
    telegram.tap(person, SERVICES[brand])
    return telegram.waitFor(
      "the confirmation",
      () => telegram.botMessages(person.id).find((m) => m.text.startsWith("✅ Принято"))
    )
  }
  const fallbackIn = (chatId: number, person: SimUser) =>
    h!.telegram.waitFor(
      `the fallback in ${chatId}`,
      () =>
        h!.telegram.botMessages(chatId).find((m) => m.text.includes("FALLBACK") && m.text.includes(String(person.id)))
    )

  it(
    "two brands with chats of their own, one on ADMIN_CHAT_ID: every lead's messages in its brand's chat",
    async () => {
      h = await startHarness(
        { ADMIN_CHAT_ID_CG: String(CG_CHAT), ADMIN_CHAT_ID_EXPRESS: String(EXPRESS_CHAT) },
        (telegram) => [CG_CHAT, EXPRESS_CHAT].forEach((id) => telegram.addManagersChat(id))
      )
      const { crm, telegram } = h
      const admin = telegram.adminChatId
      await crm.setMode({ kind: "status", status: 500 })
      await leadOf(galliard, "agency")
      await leadOf(maria, "cg")
      await leadOf(boss, "express")
      const [agencyLead, cgLead, expressLead] = [
        await fallbackIn(admin, galliard),
        await fallbackIn(CG_CHAT, maria),
        await fallbackIn(EXPRESS_CHAT, boss)
      ]
      expect([agencyLead.text, cgLead.text, expressLead.text].map((t) => /НОВЫЙ ЛИД: (.+) 🔥/.exec(t)?.[1])).toEqual([
        "MONSTER AGENCY",
        "MONSTER CG",
        "MONSTER EXPRESS"
      ])
      expect(telegram.botMessages(admin).filter((m) => m.text.includes("FALLBACK"))).toHaveLength(1)

      // A follow-up edits its brand's message, in its chat.
      telegram.sendText(galliard, "https://mycompany.com")
      telegram.sendText(maria, "референсы: https://ref.example")
      telegram.sendText(boss, "Нужен лендинг")
      await telegram.waitFor(
        "the smart edits",
        () => [agencyLead, cgLead, expressLead].every((m) => m.edits.length === 1)
      )
      expect(agencyLead.text).toContain("Сообщение: https://mycompany.com")
      expect(cgLead.text).toContain("Сообщение: референсы: https://ref.example")
      expect(expressLead.text).toContain("Сообщение: Нужен лендинг")

      // The mark: honoured in the lead's chat; cg's lead pressed from the agency chat is refused.
      const data = cgLead.keyboard.flat()[0]!.callback_data!
      const elsewhere = telegram.tapData(manager, agencyLead.message_id, data, admin)
      await telegram.waitFor("the refusal", () => telegram.answeredQueries.has(elsewhere))
      expect(telegram.answeredQueries.get(elsewhere)).toBe(
        "Этот лид — другого бренда: его отмечают в чате его менеджеров."
      )
      const pressed = telegram.tap(manager, "✅ Внесено в CRM", CG_CHAT)
      await telegram.waitFor("the mark", () => cgLead.edits.length === 2)
      expect(telegram.answeredQueries.get(pressed)).toBe("✅ Отмечено: лид внесён в CRM.")
      expect(cgLead.text).toMatch(/✅ Внесено в CRM: @anna_manager/)

      // /pending in each chat: that chat's brands only (all fallbacks, none marked but cg's).
      const pendingIn = async (chatId: number) => {
        const before = telegram.botMessages(chatId).length
        telegram.sendText(manager, "/pending", chatId)
        return (await telegram.waitFor("/pending's answer", () => telegram.botMessages(chatId)[before])).text
      }
      const [inAdmin, inCg, inExpress] = [
        await pendingIn(admin),
        await pendingIn(CG_CHAT),
        await pendingIn(EXPRESS_CHAT)
      ]
      expect(inAdmin).toContain("Ждут внесения в CRM вручную: 1")
      expect(inAdmin).toContain("MONSTER AGENCY")
      expect(inAdmin).not.toMatch(/MONSTER (CG|EXPRESS)/)
      expect(inCg).toBe("✅ Все лиды дошли до людей: ожидающих нет.")
      expect(inExpress).toContain("MONSTER EXPRESS")
      expect(inExpress).not.toMatch(/MONSTER (CG|AGENCY)/)
    },
    60_000
  )

  it(
    "a brand given its own chat while its fallback is open: posted whole there at start-up, once; the old never edited",
    async () => {
      h = await startHarness({}, (telegram) => telegram.addManagersChat(CG_CHAT))
      const { crm, telegram } = h
      const admin = telegram.adminChatId
      await crm.setMode({ kind: "status", status: 500 })
      await leadOf(maria, "cg")
      const old = await fallbackIn(admin, maria)
      await h.restart({ ADMIN_CHAT_ID_CG: String(CG_CHAT) })
      // At start-up, with no follow-up or mark: Maria's open lead posted whole, with its buttons, in cg's chat.
      const moved = await fallbackIn(CG_CHAT, maria)
      expect(moved.keyboard.flat().map((b) => b.text)).toEqual(["✅ Внесено в CRM", "🙋 Беру"])
      // Message ids are per chat: the new message has the id the old one has in the old chat.
      expect(moved.message_id).toBe(old.message_id)
      await leadOf(boss, "cg")
      const bosses = await fallbackIn(CG_CHAT, boss)

      // /pending in the new chat links Maria's lead to its message where it is now.
      telegram.sendText(manager, "/pending", CG_CHAT)
      const pending = await telegram.waitFor(
        "/pending's answer",
        () => telegram.botMessages(CG_CHAT).find((m) => m.text.includes("Ждут внесения"))
      )
      expect(pending.html).toContain(`<a href="https://t.me/c/${String(CG_CHAT).slice(4)}/${moved.message_id}">`)

      // Another start: it is where it belongs, nothing is posted again (the start-up's look is done by the time a
      // /pending asked after it is answered: a quiet moment is the check).
      await h.restart()
      telegram.sendText(manager, "/pending", CG_CHAT)
      await telegram.waitFor(
        "/pending's second answer",
        () => telegram.botMessages(CG_CHAT).filter((m) => m.text.includes("Ждут внесения"))[1]
      )
      expect(
        telegram.botMessages(CG_CHAT).filter((m) => m.text.includes(String(maria.id)) && m.text.includes("FALLBACK"))
      )
        .toEqual([moved])

      // Her lead's message is the new one: a follow-up edits it in place, and the mark is shown on it.
      telegram.sendText(maria, "референсы: https://ref.example")
      await telegram.waitFor("the edit of the new message", () => moved.edits.length === 1)
      expect(moved.text).toContain("Сообщение: референсы: https://ref.example")
      const pressed = telegram.tapData(manager, moved.message_id, moved.keyboard.flat()[0]!.callback_data!, CG_CHAT)
      await telegram.waitFor("the mark", () => moved.edits.length === 2)
      expect(telegram.answeredQueries.get(pressed)).toBe("✅ Отмечено: лид внесён в CRM.")
      expect(moved.text).toMatch(/✅ Внесено в CRM: @anna_manager/)
      expect([old.edits, bosses.edits]).toEqual([[], []])
      expect(bosses.text).not.toContain(String(maria.id))
    },
    60_000
  )

  it("start-up stops naming ADMIN_CHAT_ID_CG when that chat is not there", async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    const bot = spawnBot({ ...botEnv(telegram, crm), ADMIN_CHAT_ID_CG: "-100999" })
    expect(await bot.exited).toBe(1)
    const lines = bot.output().stderr.trim().split("\n").filter((l) => !l.includes("WARN"))
    expect(lines).toEqual([
      expect.stringMatching(/^Cannot start: ADMIN_CHAT_ID_CG=-100999: Telegram says "Bad Request: chat not found"/)
    ])
  }, 30_000)

  it(
    "the phone: a button where asked; their own contact reaches the fallback and the CRM; another's is refused",
    async () => {
      h = await startHarness({ LOCALES_PATH: localesAskingPhone() })
      const { crm, telegram } = h
      const agency = await leadOf(galliard, "agency")
      expect(agency.replyMarkup).toEqual({
        keyboard: [[{ text: "📱 Отправить номер телефона", request_contact: true }]],
        one_time_keyboard: true,
        resize_keyboard: true
      })
      const cg = await leadOf(maria, "cg")
      expect(cg.replyMarkup).toBeUndefined()

      // CRM took Galliard's lead: his phone arrives as a message; the thanks takes the keyboard away.
      await telegram.waitFor("the CRM lead", () => crm.accepted.length === 2)
      telegram.sendContact(galliard, "79991234567")
      const phoneMessage = await telegram.waitFor(
        "the phone in the admin chat",
        () => telegram.admin.find((m) => m.text.includes("Телефон"))
      )
      expect(phoneMessage.text).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):\n\n📱 Телефон: +79991234567")
      const thanks = await telegram.waitFor(
        "the thanks",
        () =>
          telegram.botMessages(galliard.id).at(-1)?.text.includes("Спасибо") && telegram.botMessages(galliard.id).at(-1)
      )
      expect(thanks.replyMarkup).toEqual({ remove_keyboard: true })

      // Someone else's contact: refused, nothing reaches the managers.
      const before = telegram.admin.length
      telegram.sendContact(galliard, "+79990000000", 777)
      await telegram.waitFor(
        "the refusal",
        () => telegram.botMessages(galliard.id).at(-1)?.text.startsWith("Пожалуйста, отправьте свой номер")
      )
      expect(telegram.admin).toHaveLength(before)

      // CRM down: Boss's lead is a fallback; his contact is his phone, beside the data for the CRM; a number typed
      // later is his phone now.
      await crm.setMode({ kind: "status", status: 500 })
      await leadOf(boss, "agency")
      const fallback = await fallbackIn(telegram.adminChatId, boss)
      const phoneLine = () => {
        const lines = fallback.text.split("\n")
        return lines[lines.findIndex((l) => l.startsWith("Telegram ID:")) + 1]
      }
      telegram.sendContact(boss, "79991112233")
      await telegram.waitFor("the smart edit", () => fallback.edits.length === 1)
      expect(phoneLine()).toBe("Телефон: +79991112233")
      telegram.sendText(boss, "8 (999) 123 45 67")
      await telegram.waitFor("the second edit", () => fallback.edits.length === 2)
      expect(phoneLine()).toBe("Телефон: +79991234567")
      expect(fallback.text.match(/Телефон:/g)).toHaveLength(1)
      expect(fallback.text).not.toContain("Сообщение:")
    },
    60_000
  )

  it("contact.phone in the payload of a lead retried while the CRM and the admin chat were down", async () => {
    h = await startHarness({ LOCALES_PATH: localesAskingPhone() })
    const { crm, telegram } = h
    await crm.setMode({ kind: "refused" })
    telegram.adminFault = { kind: "500", times: 1000 }
    await leadOf(galliard, "agency")
    await telegram.waitFor(
      "the failed fallback",
      () => h!.logs.some((l) => l.includes("fallback failed too, the lead stays pending")),
      10_000
    )
    telegram.sendContact(galliard, "+7 999 765-43-21")
    await telegram.waitFor("the phone queued", () => h!.logs.some((l) => /phone \d+ queued/.test(l)))
    telegram.adminFault = { kind: "ok" }
    await crm.setMode({ kind: "ok" })
    const lead = await telegram.waitFor("the retried lead in the CRM", () => crm.accepted[0], 30_000)
    expect(lead.body).toMatchObject({ contact: { telegram_id: galliard.id, phone: "+79997654321" } })
  }, 60_000)
})
