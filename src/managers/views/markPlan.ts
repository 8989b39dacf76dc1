import { Option } from "effect"

import type { Handled } from "../../lead/Lead.js"
import { MESSAGE_LIMIT, visibleLength } from "../../telegram/escapeHtml.js"
import { type FallbackState, fallbackView } from "./fallbackView.js"
import type { Where } from "./followUpPlan.js"
import { type Plan, send, text } from "./Plan.js"
import { handledHtml } from "./render.js"

/**
 * A manager's "✅ Внесено в CRM" on the fallback message: who and when, the button gone. A message too long for the
 * line gets it as a reply (the button still goes); a message gone gets it as a reply too, or in a forum (its topic
 * deleted) is posted whole, anew; one in another chat (its brand's chat changed) is posted whole here.
 */
export const markPlan = (state: FallbackState, handled: Handled, where: Where): Plan => {
  const view = fallbackView({ ...state, handled: Option.some(handled) })
  const mark = text(handledHtml(handled.by, handled.at, state.timeZone))
  const tooLong = visibleLength(view.text) > MESSAGE_LIMIT
  if (where.messageId === undefined) return [tooLong ? send(mark) : send(view, { moves: true })]
  const reply = send(mark, { reply: where.messageId })
  if (tooLong) {
    const unmarked = fallbackView({ ...state, handled: Option.none() })
    return [{
      _tag: "Edit",
      messageId: where.messageId,
      view: { text: unmarked.text, markup: { inline_keyboard: [] } }
    }, reply]
  }
  return [{ _tag: "Edit", messageId: where.messageId, view, ifGone: where.forum ? send(view, { moves: true }) : reply }]
}
