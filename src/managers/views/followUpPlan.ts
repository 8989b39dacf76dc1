import { Option } from "effect"

import type { FollowUp, Lead } from "../../lead/Lead.js"
import { CAPTION_LIMIT, escapeHtml, MESSAGE_LIMIT, visibleLength } from "../../telegram/escapeHtml.js"
import { type FallbackState, fallbackView } from "./fallbackView.js"
import { type Plan, send, type Step } from "./Plan.js"
import { followUpHeader, followUpText } from "./render.js"

/** Where the lead's fallback message is, seen from the chat a plan posts in. */
export interface Where {
  /** Its id when it is in this chat; none when it is in another (its brand's chat changed since). */
  readonly messageId: number | undefined
  /** This chat is a forum: a message gone went with its deleted topic, and is posted anew. */
  readonly forum: boolean
}

/**
 * The person's photo/document/video/voice copied with who sent it; the caption in the copy when it fits, else after
 * it as text.
 */
const copyOf = (lead: Lead, followUp: FollowUp, caption: string, reply: number | undefined): Step => {
  const header = followUpHeader(lead)
  const withCaption = caption === "" ? header : `${header}\n\n${escapeHtml(caption)}`
  const fits = visibleLength(withCaption) <= CAPTION_LIMIT
  return {
    _tag: "Copy",
    from: { chatId: followUp.chatId, messageId: followUp.messageId },
    caption: fits ? withCaption : header,
    ...(fits ? {} : { overflow: { header, text: caption } }),
    ...(reply === undefined ? {} : { reply })
  }
}

/** The follow-up as its own message(s), replying to `reply` when given. */
const asMessage = (lead: Lead, followUp: FollowUp, reply: number | undefined): Step => ({
  _tag: "SendInParts",
  header: followUpHeader(lead),
  text: followUpText(followUp),
  ...(reply === undefined ? {} : { reply })
})

/**
 * A follow-up of a lead the CRM took: a message of its own (media copied, its caption with it).
 */
export const crmFollowUpPlan = (lead: Lead, followUp: FollowUp): Plan =>
  Option.isSome(followUp.media)
    ? [copyOf(lead, followUp, followUp.text, undefined)]
    : [asMessage(lead, followUp, undefined)]

/**
 * A follow-up of a fallback lead ("smart edit"): edited into the message in place (media copied beside it, the
 * caption in the message); past 4096 characters, or if the message is gone, a reply. In a forum a message gone (with
 * its deleted topic) is posted whole, anew; so is one in another chat, so that the managers here see the lead.
 */
export const smartEditPlan = (state: FallbackState, followUp: FollowUp, where: Where): Plan => {
  const { lead } = state
  const copied = Option.isSome(followUp.media) ? [copyOf(lead, followUp, "", where.messageId)] : []
  const view = fallbackView({ ...state, edited: [...state.edited, followUp] })
  const reply = asMessage(lead, followUp, where.messageId)
  if (visibleLength(view.text) > MESSAGE_LIMIT) return [...copied, reply]
  const whole = send(view, { moves: true })
  if (where.messageId === undefined) return [...copied, whole]
  return [...copied, { _tag: "Edit", messageId: where.messageId, view, ifGone: where.forum ? whole : reply }]
}
