import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { type SimUser, TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { galliard, maria } from "../support/people.js"

const manager: SimUser = { id: 9001, first_name: "Анна", username: "anna_manager" }

describe("topic mode: a forum admin chat, one topic a person", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const forumWorld = async () => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    telegram.forum = true
    await crm.setMode({ kind: "refused" })
    const bot = spawnBot({ ...botEnv(telegram, crm), LOG_LEVEL: "Info" }, makeTempDir("topics"))
    cleanups.push(async () => {
      bot.child.kill("SIGKILL")
      await bot.exited
    })
    return { telegram, crm }
  }

  const tapLead = async (telegram: TelegramSim, person: SimUser, brand: string, service: string) => {
    telegram.sendText(person, `/start ${brand}`)
    await telegram.waitFor(
      "the menu",
      () =>
        [...telegram.botMessages(person.id)].reverse().find((m) => m.keyboard.flat().some((b) => b.text === service)),
      20_000
    )
    telegram.tap(person, service)
  }
  const adminIn = (telegram: TelegramSim, thread: number | undefined) =>
    telegram.admin.filter((m) => m.thread === thread && !m.text.startsWith("«"))

  it(
    "the first fallback makes the person's topic; follow-ups and a second lead go there; a manager writes in it",
    async () => {
      const { telegram } = await forumWorld()
      await tapLead(telegram, galliard, "agency", "📈 Привлечь клиентов")
      const fallback = await telegram.waitFor(
        "the fallback",
        () => telegram.admin.find((m) => m.text.includes("FALLBACK"))
      )
      const [topic] = [...telegram.topics.entries()]
      expect(topic![1].name).toBe("Galliard · AGENCY")
      expect(fallback.thread).toBe(topic![0])

      telegram.sendMedia(galliard, "photo", "мой логотип")
      await telegram.waitFor(
        "the photo in the topic",
        () => adminIn(telegram, topic![0]).some((m) => m.media === "photo")
      )
      await tapLead(telegram, galliard, "cg", "🤖 AI-видео")
      await telegram.waitFor(
        "the second fallback",
        () => telegram.admin.filter((m) => m.text.includes("FALLBACK")).length === 2
      )
      expect(
        telegram.admin.filter((m) => m.text.includes("FALLBACK")).map((m) => m.thread)
      ).toEqual([topic![0], topic![0]])
      expect(telegram.topics.size).toBe(1)

      // Another person, another topic.
      await tapLead(telegram, maria, "agency", "📈 Привлечь клиентов")
      await telegram.waitFor("Maria's topic", () => telegram.topics.size === 2)
      const mariaTopic = [...telegram.topics.entries()].find(([, t]) => t.name.startsWith("Мария"))![0]

      // In the topic, no reply needed: it reaches the topic's person, and only them.
      const written = telegram.sendInTopic(manager, "Добрый день! Чем помочь?", topic![0])
      const copy = await telegram.waitFor(
        "the copy at Galliard's",
        () => telegram.botMessages(galliard.id).find((m) => m.copyOf?.messageId === written.message_id),
        10_000
      )
      expect(copy.text).toBe("Добрый день! Чем помочь?")
      const toMaria = telegram.sendInTopic(manager, "Мария, здравствуйте", mariaTopic)
      await telegram.waitFor(
        "the copy at Maria's",
        () => telegram.botMessages(maria.id).some((m) => m.copyOf?.messageId === toMaria.message_id),
        10_000
      )
      expect(telegram.botMessages(galliard.id).some((m) => m.copyOf?.messageId === toMaria.message_id)).toBe(false)
    },
    90_000
  )

  it(
    "a deleted topic: the next message makes a new one, and the smart edit's message is posted whole there",
    async () => {
      const { telegram } = await forumWorld()
      await tapLead(telegram, galliard, "agency", "📈 Привлечь клиентов")
      await telegram.waitFor("the fallback", () => telegram.admin.find((m) => m.text.includes("FALLBACK")))
      const [first] = [...telegram.topics.keys()]
      telegram.deleteTopic(first!)
      telegram.sendText(galliard, "https://galliard.example")
      await telegram.waitFor("a new topic", () => telegram.topics.size === 2, 10_000)
      const second = [...telegram.topics.keys()].find((id) => id !== first)!
      const whole = await telegram.waitFor(
        "the fallback posted whole in the new topic",
        () => adminIn(telegram, second).find((m) => m.text.includes("FALLBACK")),
        10_000
      )
      expect(whole.text).toContain("ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА")
      expect(whole.text).toContain("Сообщение: https://galliard.example")
      // The lead's message is the new one now: the next follow-up edits it.
      telegram.sendText(galliard, "и ещё одно")
      await telegram.waitFor("the next edit", () => whole.text.includes("и ещё одно"), 10_000)
      expect(telegram.topics.size).toBe(2)
    },
    90_000
  )
})
