import { Option } from "effect"

import type { FollowUp, Handled, Lead } from "../../lead/Lead.js"
import { HANDLED_BUTTON_TEXT, handledButton } from "../../telegram/buttons.js"
import type { View } from "../room/ManagersRoom.js"
import { handledHtml, smartEditHtml } from "./render.js"

/** What the fallback message of a lead is made of: its text when posted, what was edited in since, the mark. */
export interface FallbackState {
  readonly lead: Lead
  /** The message's original HTML (as posted, kept with the outcome). */
  readonly original: string
  /** Follow-ups edited into it, oldest first. */
  readonly edited: ReadonlyArray<FollowUp>
  readonly handled: Option.Option<Handled>
  readonly timeZone: string
}

/** The fallback message as it should look now: original, follow-ups edited in, the handled mark or its button. */
export const fallbackView = ({ edited, handled, lead, original, timeZone }: FallbackState): View => {
  const body = edited.length === 0 ? original : smartEditHtml(original, edited)
  return Option.match(handled, {
    onNone: () => ({
      text: body,
      markup: { inline_keyboard: [[{ text: HANDLED_BUTTON_TEXT, callback_data: handledButton(lead.id) }]] }
    }),
    onSome: (h) => ({ text: `${body}\n\n${handledHtml(h.by, h.at, timeZone)}`, markup: { inline_keyboard: [] } })
  })
}
