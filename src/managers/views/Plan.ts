import type { View } from "../room/ManagersRoom.js"

/**
 * What to post about a lead in its managers' chat, as data: views say what, a plan says in which steps. The steps run
 * in order, in the person's topic when the chat is a forum (post/executePlan.ts).
 */
export type Step =
  /** A message; `moves`: it is the lead's fallback message from now on (posted anew, whole). */
  | { readonly _tag: "Send"; readonly view: View; readonly reply?: number; readonly moves?: boolean }
  /** A plain text under an HTML header, in as many messages as it takes. */
  | { readonly _tag: "SendInParts"; readonly header: string; readonly text: string; readonly reply?: number }
  /**
   * A copy of the person's message (media) with an HTML caption; a caption too long for one goes after it as text.
   */
  | {
    readonly _tag: "Copy"
    readonly from: { readonly chatId: number; readonly messageId: number }
    readonly caption: string
    readonly overflow?: { readonly header: string; readonly text: string }
    readonly reply?: number
  }
  /** The fallback message edited in place; if it is gone, `ifGone` instead (nothing, when absent). */
  | { readonly _tag: "Edit"; readonly messageId: number; readonly view: View; readonly ifGone?: Step }

export type Plan = ReadonlyArray<Step>

/** What running a plan posted, and whether the fallback message now shows what the plan was for. */
export interface Posted {
  /** The ids of the messages posted, in order (each concerns the lead's person). */
  readonly posted: ReadonlyArray<number>
  /** The fallback message was posted anew: this is it now. */
  readonly moved?: number
  /** The fallback message itself now shows it: an edit went through, or it was posted anew. */
  readonly inMessage: boolean
}

export const send = (view: View, options: { reply?: number | undefined; moves?: boolean } = {}): Step => ({
  _tag: "Send",
  view,
  ...(options.reply === undefined ? {} : { reply: options.reply }),
  ...(options.moves ? { moves: true } : {})
})

/** A message with no buttons. */
export const text = (html: string): View => ({ text: html })
