import { Either, Schema } from "effect"

/**
 * The callback data of every inline button the bot shows, built and parsed here only. `callback_data` is at most
 * 64 bytes, so keys are short slugs and lead ids.
 */
const LeadButton = Schema.TemplateLiteralParser("lead:", Schema.String, ":", Schema.String)
const BrandButton = Schema.TemplateLiteralParser("brand:", Schema.String)
const HandledButton = Schema.TemplateLiteralParser("done:", Schema.String)
const TakeButton = Schema.TemplateLiteralParser("take:", Schema.String)
const ConsentButton = Schema.TemplateLiteralParser("consent:", Schema.String)
const ForgetButton = Schema.TemplateLiteralParser("forget:", Schema.Literal("yes", "no"))

export type Button =
  | { readonly _tag: "Lead"; readonly profile: string; readonly serviceId: string }
  | { readonly _tag: "Brand"; readonly profile: string }
  | { readonly _tag: "Handled"; readonly leadId: string }
  | { readonly _tag: "Take"; readonly leadId: string }
  /** The accept under a consent text, naming its version and text (a hash's first 16 hex digits). */
  | { readonly _tag: "Consent"; readonly acceptKey: string }
  | { readonly _tag: "Forget"; readonly confirmed: boolean }
  | { readonly _tag: "Unknown" }

const decodeLead = Schema.decodeUnknownEither(LeadButton)
const decodeBrand = Schema.decodeUnknownEither(BrandButton)
const decodeHandled = Schema.decodeUnknownEither(HandledButton)
const decodeTake = Schema.decodeUnknownEither(TakeButton)
const decodeConsent = Schema.decodeUnknownEither(ConsentButton)
const decodeForget = Schema.decodeUnknownEither(ForgetButton)

export const parseButton = (data: string): Button => {
  const lead = decodeLead(data)
  if (Either.isRight(lead) && !lead.right[3].includes(":")) {
    return { _tag: "Lead", profile: lead.right[1], serviceId: lead.right[3] }
  }
  const brand = decodeBrand(data)
  if (Either.isRight(brand)) return { _tag: "Brand", profile: brand.right[1] }
  const handled = decodeHandled(data)
  if (Either.isRight(handled) && handled.right[1] !== "") return { _tag: "Handled", leadId: handled.right[1] }
  const take = decodeTake(data)
  if (Either.isRight(take) && take.right[1] !== "") return { _tag: "Take", leadId: take.right[1] }
  const consent = decodeConsent(data)
  if (Either.isRight(consent) && consent.right[1] !== "") return { _tag: "Consent", acceptKey: consent.right[1] }
  const forget = decodeForget(data)
  if (Either.isRight(forget)) return { _tag: "Forget", confirmed: forget.right[1] === "yes" }
  return { _tag: "Unknown" }
}

/** A service of a brand: a tap makes a lead. */
export const leadButton = (profile: string, serviceId: string) => `lead:${profile}:${serviceId}`
/** A brand in the chooser: a tap shows its services. */
export const brandButton = (profile: string) => `brand:${profile}`
/** "✅ Внесено в CRM" on a fallback message: a manager entered the lead by hand. */
export const handledButton = (leadId: string) => `done:${leadId}`
export const HANDLED_BUTTON_TEXT = "✅ Внесено в CRM"
/** The accept under a consent text: its version and text's key (16 hex digits), so an old message's accept is seen. */
export const consentButton = (acceptKey: string) => `consent:${acceptKey.slice(0, 16)}`
/** The answer to /forget's question. */
export const forgetButton = (confirmed: boolean) => `forget:${confirmed ? "yes" : "no"}`
/** "🙋 Беру" on a lead's message in the managers' chat: a manager takes the lead. */
export const takeButton = (leadId: string) => `take:${leadId}`
