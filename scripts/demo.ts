/**
 * `npm run demo`: the real bot (the bundle `npm start` runs) against the local stand-ins, playing the seed's
 * scenarios, with a transcript of what the person, the managers and the CRM saw. No token, no network.
 */
import { stopWholeOnSignal } from "../sim/stopOnSignal.js"
import type { SimUser } from "../sim/TelegramSim.js"
import { transcriber } from "../sim/transcript.js"
import { startWorld, type World } from "../sim/world.js"
import { commandLine } from "./commandLine.js"

const HELP = `usage: npm run demo

Runs the real bot (the bundle npm start runs) against local stand-ins of Telegram and the CRM on 127.0.0.1, plays
the seed's scenarios (each brand with the CRM up; the CRM down, then hanging, and the fallback in the managers' chat;
a manager's reply copied to the person) and prints what the person, the managers and the CRM saw, then exits.
No token, no network, no options.`

commandLine("demo", HELP, { options: {} })

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const section = (title: string) => console.log(`\n${bold(`━━ ${title} `.padEnd(78, "━"))}`)

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

const playBrand = async (world: World, person: SimUser, brand: string, button: string) => {
  const { telegram } = world
  const show = transcriber(world, person)
  const before = telegram.botMessages(person.id).length
  telegram.sendText(person, `/start ${brand}`)
  await telegram.waitFor("the menu", () => telegram.botMessages(person.id).length > before)
  telegram.tap(person, button)
  await telegram.waitFor(
    "the confirmation",
    () => telegram.botMessages(person.id).some((m) => m.text.startsWith("✅ Принято") && m.message_id > before)
  )
  show()
  return show
}

const main = async () => {
  console.log("Starting the local Telegram and CRM stand-ins and the real bot (no token, no network)…")
  const world = await startWorld({ env: { CRM_TIMEOUT_MS: "2000" } })
  const { telegram, crm } = world
  try {
    const people: ReadonlyArray<[SimUser, string, string, string]> = [
      [
        { id: 501, first_name: "Galliard", username: "betterrman" },
        "agency",
        "📈 Привлечь клиентов",
        "https://mycompany.com"
      ],
      [
        { id: 502, first_name: "Мария", username: "maria_cg" },
        "cg",
        "🤖 AI-видео",
        "https://youtube.com/watch?v=reference"
      ],
      [{ id: 503, first_name: "Олег" }, "express", "💻 Сайт / Лендинг", "Нужен лендинг для продажи курсов"]
    ]
    for (const [person, brand, button, followUp] of people) {
      section(`${brand}: the CRM is up`)
      const show = await playBrand(world, person, brand, button)
      await telegram.waitFor(
        "the lead in the CRM",
        () => crm.accepted.length > 0 && crm.requests.at(-1) === crm.accepted.at(-1)
      )
      const admin = telegram.admin.length
      telegram.sendText(person, followUp)
      await telegram.waitFor("the follow-up", () => telegram.admin.length > admin)
      await settle(100)
      show()
    }

    section("agency: the CRM is down → fallback → follow-up → smart edit")
    await crm.setMode({ kind: "refused" })
    const boss: SimUser = { id: 504, first_name: "<b>Boss & Co</b>" }
    const show = await playBrand(world, boss, "agency", "🎯 Таргетированная реклама")
    const fallback = await telegram.waitFor(
      "the fallback",
      () => telegram.admin.find((m) => m.text.includes("FALLBACK") && m.text.includes("Boss"))
    )
    show()
    telegram.sendText(boss, "https://boss.example")
    await telegram.waitFor("the smart edit", () => fallback.edits.length === 1)
    await settle(100)
    show()

    section("agency: a manager answers by replying to the fallback → the bot copies it to the person")
    const manager: SimUser = { id: 9001, first_name: "Ольга", username: "olga_manager" }
    const answer = "Здравствуйте! Посмотрим ваш сайт и вернёмся с планом сегодня."
    console.log(`  👩‍💼 Ольга, replying to the fallback: ${answer}`)
    const reply = telegram.sendText(manager, answer, telegram.adminChatId, fallback.message_id)
    await telegram.waitFor(
      "the reply at the person's",
      () => telegram.botMessages(boss.id).some((m) => m.copyOf?.messageId === reply.message_id)
    )
    show()
    await telegram.waitFor("👍", () => telegram.reactions.has(`${telegram.adminChatId}:${reply.message_id}`))
    console.log("  👍 on Ольга's message: the person has it")

    section("cg: the CRM hangs → timeout (2 s here) → fallback")
    await crm.setMode({ kind: "hang" })
    const anna: SimUser = { id: 505, first_name: "Анна", username: "anna_ai" }
    const showAnna = await playBrand(world, anna, "cg", "🎬 Моушн-дизайн")
    console.log("  (the person already has the confirmation; the CRM has not answered yet)")
    await telegram.waitFor(
      "the fallback after the timeout",
      () => telegram.admin.some((m) => m.text.includes("@anna_ai") && m.text.includes("не ответила вовремя")),
      10_000
    )
    showAnna()

    section("summary")
    console.log(
      `  leads in the CRM: ${crm.accepted.length}; fallback messages in the admin chat: ${
        telegram.admin.filter((m) => m.text.includes("FALLBACK")).length
      }; messages the bot sent: ${telegram.calls.filter((c) => c.method === "sendMessage").length}`
    )
  } finally {
    await world.stop()
  }
}

stopWholeOnSignal()
main().then(
  () => process.exit(0),
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
)
