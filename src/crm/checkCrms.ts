import { Effect, Option } from "effect"

import { Crm } from "./Crm.js"
import type { CrmTarget } from "./CrmTarget.js"

/** A brand as the start-up check needs it (a Profile is one). */
export interface BrandWithCrm {
  readonly key: string
  readonly crm: Option.Option<CrmTarget>
}

/**
 * At start, every brand's CRM at once: the first refusal of credentials stops start-up (its one line names the
 * variable); a CRM that is down or slow only warns. Brands sharing a CRM are asked once each (cheap, and each
 * brand's line says which it is).
 */
export const checkBrandCrms = (brands: ReadonlyArray<BrandWithCrm>) =>
  Effect.flatMap(Crm, (crm) =>
    Effect.forEach(
      brands.flatMap((brand) => Option.toArray(Option.map(brand.crm, (target) => ({ brand: brand.key, target })))),
      ({ brand, target }) => crm.check(target, brand),
      { concurrency: "unbounded", discard: true }
    ))
