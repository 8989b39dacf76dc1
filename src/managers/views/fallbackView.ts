import { Option } from "effect"

import type { FollowUp, Handled, Lead, Taken } from "../../lead/Lead.js"
import { HANDLED_BUTTON_TEXT, handledButton, takeButton } from "../../telegram/buttons.js"
import type { View } from "../room/ManagersRoom.js"
import { DUPLICATE_WARNING, handledHtml, reconciledHtml, smartEditHtml, takenHtml } from "./render.js"

/** Who took a lead, who entered it by hand, and when its CRM took it after all, as its message shows them. */
export interface Marks {
  readonly taken: Option.Option<Taken>
  readonly handled: Option.Option<Handled>
  /** When the CRM took the fallback lead (reconciliation). */
  readonly reconciled: Option.Option<number>
}

/** What the fallback message of a lead is made of: its text when posted, what was edited in since, the marks. */
export interface FallbackState extends Marks {
  readonly lead: Lead
  /** The message's original HTML (as posted, kept with the outcome). */
  readonly original: string
  /** Follow-ups edited into it, oldest first. */
  readonly edited: ReadonlyArray<FollowUp>
  /** The take button's label (texts.take). */
  readonly takeText: string
  readonly timeZone: string
}

/**
 * The lines the marks add under a lead's message: who took it, who entered it, that its CRM took it (and, when both
 * happened, that a duplicate is likely: never silent).
 */
export const markLines = ({ handled, reconciled, taken }: Marks, timeZone: string): ReadonlyArray<string> => [
  ...Option.toArray(Option.map(taken, (t) => takenHtml(t.by, t.at, timeZone))),
  ...Option.toArray(Option.map(handled, (h) => handledHtml(h.by, h.at, timeZone))),
  ...Option.toArray(Option.map(reconciled, (at) => reconciledHtml(at, timeZone))),
  ...(Option.isSome(handled) && Option.isSome(reconciled) ? [DUPLICATE_WARNING] : [])
]

/**
 * The buttons a lead's message still needs: "✅ Внесено в CRM" until entered (a fallback, until its CRM took it),
 * "🙋 Беру" until taken.
 */
export const markButtons = (lead: Lead, marks: Marks, takeText: string, fallback: boolean) => ({
  inline_keyboard: [
    ...(fallback && Option.isNone(marks.handled) && Option.isNone(marks.reconciled)
      ? [[{ text: HANDLED_BUTTON_TEXT, callback_data: handledButton(lead.id) }]]
      : []),
    ...(Option.isNone(marks.taken) ? [[{ text: takeText, callback_data: takeButton(lead.id) }]] : [])
  ]
})

/** The fallback's body: the original, with follow-ups edited in. */
export const fallbackBody = ({ edited, original }: Pick<FallbackState, "edited" | "original">): string =>
  edited.length === 0 ? original : smartEditHtml(original, edited)

/** The fallback message as it should look now: original, follow-ups edited in, the marks or their buttons. */
export const fallbackView = (state: FallbackState): View => {
  const lines = markLines(state, state.timeZone)
  return {
    text: [fallbackBody(state), ...lines].join("\n\n"),
    markup: markButtons(state.lead, state, state.takeText, true)
  }
}
