/**
 * The callback data of every inline button the bot shows, built and parsed here only. `callback_data` is at most
 * 64 bytes, so keys are short slugs and lead ids.
 */
export type Button =
  | { readonly _tag: "Lead"; readonly profile: string; readonly serviceId: string }
  | { readonly _tag: "Brand"; readonly profile: string }
  | { readonly _tag: "Handled"; readonly leadId: string }
  | { readonly _tag: "Take"; readonly leadId: string }
  /** The accept under a consent text, naming its version and text (a hash's first 16 hex digits). */
  | { readonly _tag: "Consent"; readonly acceptKey: string }
  | { readonly _tag: "Forget"; readonly confirmed: boolean }
  | { readonly _tag: "Unknown" }

/** The rest of `data` after `prefix`, or undefined when it does not start so. */
const after = (data: string, prefix: string): string | undefined =>
  data.startsWith(prefix) ? data.slice(prefix.length) : undefined

/** Plain string tests, not Schema: every composer parses every tap's data, so this runs a few times a tap. */
export const parseButton = (data: string): Button => {
  const lead = after(data, "lead:")
  const colon = lead?.indexOf(":") ?? -1
  if (lead !== undefined && colon >= 0 && !lead.includes(":", colon + 1)) {
    return { _tag: "Lead", profile: lead.slice(0, colon), serviceId: lead.slice(colon + 1) }
  }
  const brand = after(data, "brand:")
  if (brand !== undefined) return { _tag: "Brand", profile: brand }
  const handled = after(data, "done:")
  if (handled) return { _tag: "Handled", leadId: handled }
  const take = after(data, "take:")
  if (take) return { _tag: "Take", leadId: take }
  const consent = after(data, "consent:")
  if (consent) return { _tag: "Consent", acceptKey: consent }
  const forget = after(data, "forget:")
  if (forget === "yes" || forget === "no") return { _tag: "Forget", confirmed: forget === "yes" }
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
