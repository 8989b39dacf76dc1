import { Either, Schema } from "effect"

/** Inline button payloads; `callback_data` is at most 64 bytes, so keys are short slugs. */
export const LeadButton = Schema.TemplateLiteralParser("lead:", Schema.String, ":", Schema.String)
export const BrandButton = Schema.TemplateLiteralParser("brand:", Schema.String)

export type Button =
  | { readonly _tag: "Lead"; readonly profile: string; readonly serviceId: string }
  | { readonly _tag: "Brand"; readonly profile: string }
  | { readonly _tag: "Unknown" }

const decodeLead = Schema.decodeUnknownEither(LeadButton)
const decodeBrand = Schema.decodeUnknownEither(BrandButton)

export const parseButton = (data: string): Button => {
  const lead = decodeLead(data)
  if (Either.isRight(lead) && !lead.right[3].includes(":")) {
    return { _tag: "Lead", profile: lead.right[1], serviceId: lead.right[3] }
  }
  const brand = decodeBrand(data)
  if (Either.isRight(brand)) return { _tag: "Brand", profile: brand.right[1] }
  return { _tag: "Unknown" }
}

export const leadButton = (profile: string, serviceId: string) => `lead:${profile}:${serviceId}`
export const brandButton = (profile: string) => `brand:${profile}`
