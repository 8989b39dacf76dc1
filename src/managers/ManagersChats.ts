import { Effect, Option } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import { valueOfBrand } from "../config/perBrand.js"
import { Profiles } from "../profiles/Profiles.js"

/** A managers' chat: where everything about its brands' leads goes. */
export interface ManagersChat {
  readonly id: number
  /** The variable that names it (the first, when several do): `ADMIN_CHAT_ID_<BRAND>` or `ADMIN_CHAT_ID`. */
  readonly variable: string
  /** The brands whose leads go there, in locales.json's order (none: ADMIN_CHAT_ID when every brand has its own). */
  readonly brands: ReadonlyArray<string>
  /** Every brand's: /pending and /stats asked there report all. */
  readonly everyBrand: boolean
}

/**
 * Which managers' chat each brand has: `ADMIN_CHAT_ID_<BRAND>`, else `ADMIN_CHAT_ID` (the chat of every brand
 * without its own). The same chat may serve several brands. A brand no longer in locales.json (an old lead's) is
 * ADMIN_CHAT_ID's.
 */
export class ManagersChats extends Effect.Service<ManagersChats>()("ManagersChats", {
  effect: Effect.gen(function*() {
    const { adminChatId, perBrand } = yield* AppConfig
    const profiles = yield* Profiles
    const named: Array<{ readonly brand: string | undefined; readonly id: number; readonly variable: string }> = []
    for (const profile of profiles.all) {
      const own = valueOfBrand(perBrand.ADMIN_CHAT_ID, profile.key)
      named.push(
        Option.isSome(own)
          ? { brand: profile.key, id: own.value.value, variable: own.value.variable }
          : { brand: profile.key, id: adminChatId, variable: "ADMIN_CHAT_ID" }
      )
    }
    named.push({ brand: undefined, id: adminChatId, variable: "ADMIN_CHAT_ID" })
    const all: ReadonlyArray<ManagersChat> = [...new Set(named.map((n) => n.id))].map((id) => {
      const naming = named.filter((n) => n.id === id)
      const brands = naming.flatMap((n) => (n.brand === undefined ? [] : [n.brand]))
      return { id, variable: naming[0]!.variable, brands, everyBrand: brands.length === profiles.all.length }
    })
    const byId = new Map(all.map((chat) => [chat.id, chat]))
    const fallbackChat = byId.get(adminChatId)!
    const ofBrand = new Map(named.flatMap((n) => (n.brand === undefined ? [] : [[n.brand, byId.get(n.id)!]])))
    return {
      all,
      /** The chat of a brand's leads. */
      of: (brand: string): ManagersChat => ofBrand.get(brand) ?? fallbackChat,
      /** The managers' chat with this id, if it is one. */
      at: (chatId: number | undefined): Option.Option<ManagersChat> => Option.fromNullable(byId.get(chatId ?? NaN))
    }
  })
}) {}
