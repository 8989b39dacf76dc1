import { Option } from "effect"

import type { Utm } from "../../lead/Campaign.js"
import type { Lead, Taken } from "../../lead/Lead.js"
import type { View } from "../room/ManagersRoom.js"
import { markButtons, markLines } from "./fallbackView.js"
import { cardHtml } from "./render.js"

/** ADMIN_NOTIFY=all: the card of a lead the CRM took, who took it, and "🙋 Беру" until someone did. */
export const cardView = (
  lead: Lead,
  utm: Utm,
  taken: Option.Option<Taken>,
  takeText: string,
  timeZone: string
): View => {
  const marks = { taken, handled: Option.none(), reconciled: Option.none() }
  return {
    text: [cardHtml(lead, utm), ...markLines(marks, timeZone)].join("\n\n"),
    markup: markButtons(lead, marks, takeText, false)
  }
}
