import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"

import { crmPayload } from "../../src/crm/CrmPayload.js"
import type { Lead } from "../../src/lead/Lead.js"

const lead = (username: Option.Option<string>, campaign: Option.Option<string> = Option.none()): Lead => ({
  id: "3f1c",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard", username },
  createdAt: 0,
  tapId: "q1",
  campaign
})

describe("the CRM payload", () => {
  it("is exactly the seed's fields, plus telegram_id, lead_id, and no campaign (null) with no UTM ({})", () => {
    expect(crmPayload(lead(Option.some("betterrman")), {})).toEqual({
      lead_name: "Новый лид с Telegram: MONSTER AGENCY",
      contact: { name: "Galliard", username: "@betterrman", telegram_id: 501 },
      source: "Telegram Bot",
      request_details: "Привлечь клиентов",
      lead_id: "3f1c",
      campaign: null,
      utm: {}
    })
  })

  it("carries the lead's campaign and the UTM fields it was given", () => {
    const utm = { utm_source: "vk", utm_medium: "cpc" }
    expect(crmPayload(lead(Option.none(), Option.some("vk_spring")), utm)).toMatchObject({
      campaign: "vk_spring",
      utm: { utm_source: "vk", utm_medium: "cpc" }
    })
  })

  it("has an empty username, never \"@None\" or \"@undefined\", when the person has none", () => {
    expect(crmPayload(lead(Option.none()), {}).contact.username).toBe("")
  })
})
