import { createHash } from "node:crypto"

import type { InlineKeyboardButton } from "grammy/types"

import type { Texts } from "../profiles/LocalesSchema.js"
import { fillPlaceholders } from "../profiles/placeholders.js"
import type { ConsentSettings } from "../profiles/privacyLocales.js"
import { consentButton } from "../telegram/buttons.js"

/** The consent message as the person sees it, and the hash of its exact text (what the log says was accepted). */
export interface ConsentMessage {
  readonly version: string
  readonly text: string
  readonly sha256: string
  /** What the accept button names: this version and this text (an older message's button names another). */
  readonly acceptKey: string
  readonly keyboard: ReadonlyArray<ReadonlyArray<InlineKeyboardButton>>
}

/** The consent text with `{brand}` filled (the brand whose link was opened, or every brand), and its buttons. */
export const consentMessage = (consent: ConsentSettings, texts: Texts, brand: string): ConsentMessage => {
  const text = fillPlaceholders(consent.text, { brand })
  const sha256 = createHash("sha256").update(text, "utf8").digest("hex")
  const acceptKey = createHash("sha256").update(`${consent.version}\u0000${text}`, "utf8").digest("hex")
  return {
    version: consent.version,
    text,
    sha256,
    acceptKey,
    keyboard: [
      [{ text: texts.consent_policy, url: consent.policy_url }],
      [{ text: texts.consent_accept, callback_data: consentButton(acceptKey) }]
    ]
  }
}
