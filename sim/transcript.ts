import type { CrmSim } from "./CrmSim.js"
import type { SimMessage, SimUser, TelegramSim } from "./TelegramSim.js"

/** The prefix on the first line, blanks of its width on the others. */
export const indent = (text: string, prefix: string) =>
  text.split("\n").map((l, i) => `${i === 0 ? prefix : " ".repeat([...prefix].length + 1)}${l}`).join("\n")
const buttons = (
  m: SimMessage
) => (m.keyboard.length ? `\n${m.keyboard.flat().map((b) => `[${b.text}]`).join(" ")}` : "")

const printedOf = new WeakMap<
  TelegramSim,
  { seen: Map<number, number>; crm: number; edits: Map<number, number> }
>()

/**
 * What appeared since the last call, printed: the person's chat, the admin chat (edits shown), the CRM's requests.
 * For the demo's transcript and the stand-ins' terminal.
 */
export const transcriber = (world: { telegram: TelegramSim; crm: CrmSim }, person: SimUser) => {
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
    for (const m of telegram.admin) {
      const edits = editsSeen.get(m.message_id)
      if (edits === undefined) {
        console.log(indent(`${m.media ? `[${m.media}] ` : ""}${m.text}${buttons(m)}`, "  🛎 admin "))
      } else if (m.edits.length > edits) console.log(indent(`(message edited)\n${m.text}${buttons(m)}`, "  🛎 admin "))
      editsSeen.set(m.message_id, m.edits.length)
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
