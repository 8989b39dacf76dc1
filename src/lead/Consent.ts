import { Schema } from "effect"

/** How a person gave their consent: the accept button under the consent text (the only way today). */
export const ConsentHow = Schema.Literal("button")
export type ConsentHow = typeof ConsentHow.Type

/** A consent text as it was shown (placeholders filled): kept by its SHA-256, so the log proves what was accepted. */
export const ConsentText = Schema.Struct({
  sha256: Schema.String,
  version: Schema.String,
  text: Schema.String,
  /** When it was first shown. */
  at: Schema.Number
})
export type ConsentText = typeof ConsentText.Type

/**
 * One accept in the consent log: who (Telegram id only: no name), which version and exact text, when (UTC ms), how;
 * and when it was withdrawn (the person's /forget, or the operator's forget-person). Kept for as long as the law
 * needs it proven: forgetting a person adds the withdrawal, it deletes no row.
 */
export const ConsentRecord = Schema.Struct({
  telegramId: Schema.Number,
  version: Schema.String,
  textSha256: Schema.String,
  acceptedAt: Schema.Number,
  how: ConsentHow,
  withdrawnAt: Schema.OptionFromSelf(Schema.Number)
})
export type ConsentRecord = typeof ConsentRecord.Type

/**
 * A person asked for consent and not (yet) accepting: the step keeps what it needs to go on after the accept, the
 * deep link's parameter of their /start (its brand and campaign) or the brand of a button they tapped, and nothing
 * else. It goes after 24 hours.
 */
export const ConsentStep = Schema.Struct({
  telegramId: Schema.Number,
  startPayload: Schema.OptionFromSelf(Schema.String),
  at: Schema.Number
})
export type ConsentStep = typeof ConsentStep.Type
