import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"

import type { FollowUp, Lead } from "../../src/lead/Lead.js"
import { type FallbackState, fallbackView } from "../../src/managers/views/fallbackView.js"
import { crmFollowUpPlan, smartEditPlan } from "../../src/managers/views/followUpPlan.js"
import { markPlan } from "../../src/managers/views/markPlan.js"
import type { Step } from "../../src/managers/views/Plan.js"

const lead: Lead = {
  id: "L1",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard", username: Option.some("betterrman") },
  createdAt: 0,
  tapId: "q1",
  campaign: Option.none()
}
const state: FallbackState = {
  lead,
  original: "⚠️ <b>[FALLBACK]</b>\n<b>Запрос:</b> Привлечь клиентов",
  edited: [],
  handled: Option.none(),
  taken: Option.none(),
  reconciled: Option.none(),
  takeText: "🙋 Беру",
  timeZone: "UTC"
}
const followUp = (text: string, media: FollowUp["media"] = Option.none()): FollowUp => ({
  leadId: "L1",
  seq: 1,
  chatId: 501,
  messageId: 77,
  media,
  text,
  phone: false
})
const here = { messageId: 300, forum: false }
const handled = { by: "@olga", at: Date.UTC(2026, 11, 7, 9, 5) }
const markLine = "✅ <b>Внесено в CRM:</b> @olga, 07.12.2026, 09:05"
const marked = { ...state, handled: Option.some(handled) }
const tags = (plan: ReadonlyArray<Step>) => plan.map((step) => step._tag)

describe("what managers see, as data (no Telegram)", () => {
  it("the fallback view: each mark's button until it is made, then who and when", () => {
    const open = fallbackView(state)
    expect(open.text).toBe(state.original)
    expect(open.markup?.inline_keyboard).toEqual([
      [{ text: "✅ Внесено в CRM", callback_data: "done:L1" }],
      [{ text: "🙋 Беру", callback_data: "take:L1" }]
    ])
    const taken = { by: "Анна (@anna)", byId: 900, at: Date.UTC(2026, 11, 7, 9, 3) }
    const both = fallbackView({ ...marked, taken: Option.some(taken) })
    expect(both.text).toBe(`${state.original}\n\n<b>Взял(а):</b> Анна (@anna), 09:03\n\n${markLine}`)
    expect(both.markup?.inline_keyboard).toEqual([])
    expect(fallbackView(marked).markup?.inline_keyboard).toEqual([[{ text: "🙋 Беру", callback_data: "take:L1" }]])
  })

  it("a smart edit edits the message in place; gone, it replies, or in a forum posts it whole anew", () => {
    const [edit] = smartEditPlan(state, followUp("https://example.com"), here)
    if (edit?._tag !== "Edit") return expect.fail(`not an edit: ${edit?._tag}`)
    expect(edit.messageId).toBe(300)
    expect(edit.view.text).toContain("Сообщение: https://example.com")
    expect(edit.ifGone).toMatchObject({ _tag: "SendInParts", reply: 300, text: "https://example.com" })
    const [inForum] = smartEditPlan(state, followUp("x"), { messageId: 300, forum: true })
    expect(inForum).toMatchObject({ _tag: "Edit", ifGone: { _tag: "Send", moves: true } })
  })

  it("a smart edit of a message in another chat posts it whole here; past 4096 characters it is a reply", () => {
    expect(smartEditPlan(state, followUp("x"), { messageId: undefined, forum: false })).toMatchObject([
      { _tag: "Send", moves: true }
    ])
    const long = smartEditPlan(state, followUp("я".repeat(5000)), here)
    expect(long).toMatchObject([{ _tag: "SendInParts", reply: 300 }])
  })

  it("media: copied beside the edit (its caption goes into the message); for a CRM lead, with its caption", () => {
    const photo = followUp("моё фото", Option.some("photo"))
    expect(tags(smartEditPlan(state, photo, here))).toEqual(["Copy", "Edit"])
    const [copy] = smartEditPlan(state, photo, here)
    expect(copy).toMatchObject({ _tag: "Copy", from: { chatId: 501, messageId: 77 }, reply: 300 })
    expect(copy?._tag === "Copy" && copy.caption).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):")
    const [crmCopy] = crmFollowUpPlan(lead, photo)
    expect(crmCopy?._tag === "Copy" && crmCopy.caption).toBe("📎 FOLLOW-UP от @betterrman (AGENCY):\n\nмоё фото")
    const [longCaption] = crmFollowUpPlan(lead, followUp("я".repeat(2000), Option.some("photo")))
    expect(longCaption).toMatchObject({ _tag: "Copy", overflow: { text: "я".repeat(2000) } })
    expect(crmFollowUpPlan(lead, followUp("hi"))).toMatchObject([{ _tag: "SendInParts", text: "hi" }])
  })

  it("the mark: edited in; gone, a reply (a forum: posted whole); too long: the button goes, the mark replies", () => {
    expect(markPlan(marked, markLine, here)).toMatchObject([
      { _tag: "Edit", messageId: 300, ifGone: { _tag: "Send", reply: 300 } }
    ])
    expect(markPlan(marked, markLine, { messageId: 300, forum: true })).toMatchObject([
      { _tag: "Edit", ifGone: { _tag: "Send", moves: true } }
    ])
    const long = { ...marked, original: "я".repeat(4090) }
    const plan = markPlan(long, markLine, here)
    expect(tags(plan)).toEqual(["Edit", "Send"])
    expect(plan[0]).toMatchObject({
      view: { text: long.original, markup: { inline_keyboard: [[{ text: "🙋 Беру", callback_data: "take:L1" }]] } }
    })
    expect(plan[1]).toMatchObject({ reply: 300, view: { text: "✅ <b>Внесено в CRM:</b> @olga, 07.12.2026, 09:05" } })
    expect(markPlan(marked, markLine, { messageId: undefined, forum: false })).toMatchObject([
      { _tag: "Send", moves: true }
    ])
  })
})
