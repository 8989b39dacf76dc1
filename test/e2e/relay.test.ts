import { execFileSync } from "node:child_process"
import { readlinkSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

import { afterEach, describe, expect, it } from "vitest"

import { CrmSim } from "../../sim/CrmSim.js"
import { spawnBot } from "../../sim/spawnBot.js"
import { type SimUser, TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { botEnv } from "../../sim/world.js"
import { galliard, maria } from "../support/people.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const manager: SimUser = { id: 9001, first_name: "Анна", username: "anna_manager" }

describe("managers answer people from the admin chat (reply mode), the real bot against the stand-ins", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  const world = async (env: Record<string, string> = {}) => {
    const telegram = await TelegramSim.start()
    const crm = await CrmSim.start()
    cleanups.push(() => telegram.close(), () => crm.close())
    const workDir = makeTempDir("relay")
    const start = () => {
      const bot = spawnBot({ ...botEnv(telegram, crm), LOG_LEVEL: "Info", ...env }, workDir)
      cleanups.push(async () => {
        bot.child.kill("SIGKILL")
        await bot.exited
      })
      return bot
    }
    return { telegram, crm, start }
  }

  /** A lead whose CRM refused it: its fallback message in the admin chat. */
  const fallbackOf = async (telegram: TelegramSim, person: SimUser) => {
    telegram.sendText(person, "/start agency")
    await telegram.waitFor("the menu", () => telegram.botMessages(person.id).find((m) => m.keyboard.length), 20_000)
    telegram.tap(person, "📈 Привлечь клиентов")
    return telegram.waitFor("the fallback", () => telegram.admin.find((m) => m.text.includes(`@${person.username}`)))
  }

  it(
    "a text and a photo replied to a fallback reach its person (copied), each gets 👍; another person's stays theirs",
    async () => {
      const { crm, start, telegram } = await world()
      await crm.setMode({ kind: "refused" })
      start()
      const forGalliard = await fallbackOf(telegram, galliard)
      const forMaria = await fallbackOf(telegram, maria)
      const text = telegram.sendText(
        manager,
        "Какой сайт вы имеете в виду?",
        telegram.adminChatId,
        forGalliard.message_id
      )
      const photo = telegram.sendMedia(manager, "photo", "Вот пример", telegram.adminChatId, forMaria.message_id)
      const toGalliard = await telegram.waitFor(
        "the text at Galliard's",
        () => telegram.botMessages(galliard.id).find((m) => m.copyOf?.messageId === text.message_id),
        10_000
      )
      expect(toGalliard.text).toBe("Какой сайт вы имеете в виду?")
      const toMaria = await telegram.waitFor(
        "the photo at Maria's",
        () => telegram.botMessages(maria.id).find((m) => m.copyOf?.messageId === photo.message_id),
        10_000
      )
      expect([toMaria.media, toMaria.text]).toEqual(["photo", "Вот пример"])
      expect(
        telegram.botMessages(galliard.id).some((m) => m.copyOf?.messageId === photo.message_id)
      ).toBe(false)
      await telegram.waitFor(
        "both 👍",
        () =>
          [text, photo].every((m) => telegram.reactions.get(`${telegram.adminChatId}:${m.message_id}`)?.[0] === "👍")
      )
    },
    60_000
  )

  it("a person who blocked the bot: the manager is told once, nothing is retried", async () => {
    const { crm, start, telegram } = await world()
    await crm.setMode({ kind: "refused" })
    start()
    const fallback = await fallbackOf(telegram, galliard)
    telegram.blocked.add(galliard.id)
    const answer = telegram.sendText(manager, "Вы здесь?", telegram.adminChatId, fallback.message_id)
    const notice = await telegram.waitFor(
      "the notice",
      () => telegram.admin.find((m) => m.replyTo === answer.message_id && m.text.startsWith("⛔")),
      10_000
    )
    expect(notice.text).toBe("⛔ Не доставлено: человек заблокировал бота")
    // Unblocked, a next reply reaches them: a person's relays go in order, so a retry of the refused one (were it
    // still pending) would be copied first, now that Telegram takes it.
    telegram.blocked.delete(galliard.id)
    const next = telegram.sendText(manager, "Напишите нам, когда сможете", telegram.adminChatId, fallback.message_id)
    await telegram.waitFor(
      "the next reply copied",
      () => telegram.botMessages(galliard.id).find((m) => m.copyOf?.messageId === next.message_id),
      10_000
    )
    const copies = telegram.calls.filter((c) => c.method === "copyMessage" && Number(c.body.chat_id) === galliard.id)
    expect(copies.map((c) => c.body.message_id)).toEqual([answer.message_id, next.message_id])
    expect(telegram.admin.filter((m) => m.text.startsWith("⛔"))).toHaveLength(1)
  }, 60_000)

  it("kill -9 once the manager's message was recorded, before it was sent: sent once after the restart", async () => {
    const { crm, start, telegram } = await world()
    await crm.setMode({ kind: "refused" })
    const first = start()
    const fallback = await fallbackOf(telegram, galliard)
    const isCopy = (method: string, body: Record<string, unknown>) =>
      method === "copyMessage" && Number(body.chat_id) === galliard.id
    telegram.hold = isCopy // the copy reaches Telegram, which never carries it out: the bot dies meanwhile
    const answer = telegram.sendText(manager, "Перезвоню через час", telegram.adminChatId, fallback.message_id)
    await telegram.waitFor("the copy in flight", () => telegram.calls.some((c) => isCopy(c.method, c.body)), 10_000)
    first.child.kill("SIGKILL")
    expect(await first.exited).toBe(null)
    telegram.hold = undefined
    start()
    const copy = await telegram.waitFor(
      "the copy after the restart",
      () => telegram.botMessages(galliard.id).find((m) => m.copyOf?.messageId === answer.message_id),
      20_000
    )
    expect(copy.text).toBe("Перезвоню через час")
    telegram.sendText(galliard, "/start cg") // a marker: once answered, the restarted bot is past the replay
    await telegram.waitFor(
      "the marker",
      () => telegram.botMessages(galliard.id).some((m) => m.text.includes("MONSTER CG"))
    )
    expect(telegram.botMessages(galliard.id).filter((m) => m.copyOf?.messageId === answer.message_id)).toHaveLength(1)
  }, 60_000)

  it(
    "after forget-person, a reply to an old message about them: '⛔ Этот контакт удалён.' once, nothing sent",
    async () => {
      const { crm, start, telegram } = await world()
      await crm.setMode({ kind: "refused" })
      const bot = start()
      const fallback = await fallbackOf(telegram, galliard)
      const dataDir = join(readlinkSync(`/proc/${bot.child.pid}/cwd`), "data")
      const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href
      execFileSync(
        process.execPath,
        ["--import", loader, join(root, "scripts/forget-person.ts"), String(galliard.id)],
        {
          // The bot's own settings (the managers' chats it cleans), as an operator runs it.
          env: { PATH: process.env.PATH ?? "", ...botEnv(telegram, crm), DATA_DIR: dataDir },
          cwd: makeTempDir("forget-cwd")
        }
      )
      const answer = telegram.sendText(manager, "Вы ещё здесь?", telegram.adminChatId, fallback.message_id)
      telegram.sendText(manager, "Вы ещё здесь?", telegram.adminChatId, fallback.message_id)
      const notice = await telegram.waitFor(
        "the notice",
        () => telegram.admin.find((m) => m.replyTo === answer.message_id && m.text.startsWith("⛔")),
        10_000
      )
      expect(notice.text).toBe("⛔ Этот контакт удалён.")
      // A marker: the managers' chat's updates are handled in order, so once /pending is answered both replies
      // (the second a repeat of the first's kind) are handled, their notices sent.
      telegram.sendText(manager, "/pending", telegram.adminChatId)
      await telegram.waitFor("the /pending answer", () => telegram.admin.find((m) => m.text.includes("Все лиды")))
      expect(telegram.admin.filter((m) => m.text === "⛔ Этот контакт удалён.")).toHaveLength(2) // one each message
      expect(telegram.botMessages(galliard.id).some((m) => m.copyOf !== undefined)).toBe(false)
    },
    60_000
  )
})
