import { Option } from "effect"

import type { Lead } from "../../src/lead/Lead.js"

/** A lead of its own person (a second tap of the same person and service would be no lead), for the store tests. */
export const leadOfPerson = (id: string, createdAt: number, telegramId: number): Lead => ({
  id,
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId, fullName: "Galliard", username: Option.none() },
  createdAt,
  tapId: `tap-${id}`,
  campaign: Option.none()
})
