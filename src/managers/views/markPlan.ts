import { MESSAGE_LIMIT, visibleLength } from "../../telegram/escapeHtml.js"
import { fallbackBody, type FallbackState, fallbackView } from "./fallbackView.js"
import type { Where } from "./followUpPlan.js"
import { type Plan, send, text } from "./Plan.js"

/**
 * A mark on the fallback message (who took it, who entered it by hand: `line`, already in `state`'s marks), its
 * button gone. A message too long for the lines gets the new one as a reply (its buttons still change); a message
 * gone gets it as a reply too, or in a forum (its topic deleted) is posted whole, anew; one in another chat (its
 * brand's chat changed) is posted whole here.
 */
export const markPlan = (state: FallbackState, line: string, where: Where): Plan => {
  const view = fallbackView(state)
  const mark = text(line)
  const tooLong = visibleLength(view.text) > MESSAGE_LIMIT
  if (where.messageId === undefined) return [tooLong ? send(mark) : send(view, { moves: true })]
  const reply = send(mark, { reply: where.messageId })
  if (tooLong) {
    return [
      { _tag: "Edit", messageId: where.messageId, view: { text: fallbackBody(state), markup: view.markup } },
      reply
    ]
  }
  return [{ _tag: "Edit", messageId: where.messageId, view, ifGone: where.forum ? send(view, { moves: true }) : reply }]
}
