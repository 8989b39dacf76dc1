import type { CrmSim } from "./CrmSim.js"
import type { SimMessage, SimUser, TelegramSim } from "./TelegramSim.js"

/** The prefix on the first line, blanks of its width on the others. */
export const indent = (text: string, prefix: string) =>
  text.split("\n").map((l, i) => `${i === 0 ? prefix : " ".repeat([...prefix].length + 1)}${l}`).join("\n")

/** A message's buttons: inline ones (a link's address shown), and a reply keyboard under the input field (⌨). */
const buttons = (m: SimMessage) => {
  const inline = m.keyboard.flat().map((b) => (b.url === undefined ? `[${b.text}]` : `[${b.text} ↗ ${b.url}]`))
  const reply = (m.replyMarkup?.keyboard as Array<Array<{ text: string }>> | undefined)?.flat() ?? []
  return [
    ...(inline.length ? [`\n${inline.join(" ")}`] : []),
    ...(reply.length ? [`\n⌨ ${reply.map((b) => `[${b.text}]`).join(" ")}`] : [])
  ].join("")
}

const printedOf = new WeakMap<
  TelegramSim,
  { seen: Map<number, number>; crm: number; edits: Map<string, number> }
>()

export interface TranscriptOptions {
  /** Each managers' message with its id (`#3`) and topic, so that a command can name it (the stand-ins' `reply`). */
  readonly ids?: boolean
  /** Managers' chats besides the admin chat, printed too (with their id). */
  readonly managersChats?: () => Iterable<number>
}

/**
 * What appeared since the last call, printed: the person's chat, the managers' chats (edits shown), the CRM's
 * requests. For the demo's transcript and the stand-ins' terminal.
 */
export const transcriber = (
  world: { telegram: TelegramSim; crm: CrmSim },
  person: SimUser,
  options: TranscriptOptions = {}
) => {
  // What was printed already, per stand-in: the admin chat and the CRM are shared by every person's transcript.
  const printed = printedOf.get(world.telegram) ?? { seen: new Map<number, number>(), crm: 0, edits: new Map() }
  printedOf.set(world.telegram, printed)
  const { edits: editsSeen, seen } = printed
  return () => {
    const { telegram, crm } = world
    const chat = telegram.chat(person.id)
    for (const m of chat.slice(seen.get(person.id) ?? 0)) {
      console.log(
        m.fromBot
          ? indent(`${m.text}${buttons(m)}`, "  🤖 →👤 ")
          : `  👤 ${person.first_name}: ${m.media ? `[${m.media}] ` : ""}${m.text}`
      )
    }
    seen.set(person.id, chat.length)
    for (const chatId of [telegram.adminChatId, ...(options.managersChats?.() ?? [])]) {
      const label = chatId === telegram.adminChatId ? "admin" : String(chatId)
      for (const m of telegram.botMessages(chatId)) {
        const key = `${chatId}:${m.message_id}`
        // A topic's id is that of its first message (the notice of its creation).
        const topic = m.thread !== undefined
          ? ` (topic #${m.thread})`
          : telegram.topics.has(m.message_id) && chatId === telegram.adminChatId
          ? " (a new topic)"
          : ""
        const prefix = `  🛎 ${label}${options.ids ? ` #${m.message_id}${topic}` : ""} `
        const edits = editsSeen.get(key)
        if (edits === undefined) console.log(indent(`${m.media ? `[${m.media}] ` : ""}${m.text}${buttons(m)}`, prefix))
        else if (m.edits.length > edits) console.log(indent(`(message edited)\n${m.text}${buttons(m)}`, prefix))
        editsSeen.set(key, m.edits.length)
      }
    }
    for (const r of crm.requests.slice(printed.crm)) {
      const accepted = crm.accepted.includes(r)
      console.log(
        indent(
          `${accepted ? "accepted" : "received, not accepted"} ${r.path.replace(/[^/]+$/, "…")}\n${
            JSON.stringify(r.body, null, 2)
          }`,
          "  📇 CRM   "
        )
      )
    }
    printed.crm = crm.requests.length
  }
}
