import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"

import { crmPayload } from "../../src/crm/CrmPayload.js"
import type { Lead } from "../../src/lead/Lead.js"

const lead = (username: Option.Option<string>): Lead => ({
  id: "3f1c",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard", username },
  createdAt: 0,
  tapId: "q1"
})

describe("the CRM payload", () => {
  it("is exactly the seed's fields, plus telegram_id and lead_id", () => {
    expect(crmPayload(lead(Option.some("betterrman")))).toEqual({
      lead_name: "Новый лид с Telegram: MONSTER AGENCY",
      contact: { name: "Galliard", username: "@betterrman", telegram_id: 501 },
      source: "Telegram Bot",
      request_details: "Привлечь клиентов",
      lead_id: "3f1c"
    })
  })

  it("has an empty username, never \"@None\" or \"@undefined\", when the person has none", () => {
    expect(crmPayload(lead(Option.none())).contact.username).toBe("")
  })
})
