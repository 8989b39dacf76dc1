import { describe, expect, it } from "@effect/vitest"
import { Option, Redacted } from "effect"

import {
  commonNote,
  complexLead,
  leadName,
  nameCarries,
  phonePatch,
  searchToken
} from "../../src/crm/amocrm/amoMapping.js"
import { addLead, findLead, leadComment, phoneUpdate, splitName } from "../../src/crm/bitrix24/bitrixMapping.js"
import type { LeadExtras } from "../../src/crm/Crm.js"
import { crmPayload } from "../../src/crm/CrmPayload.js"
import type { CrmTarget } from "../../src/crm/CrmTarget.js"
import { leadNotes } from "../../src/crm/leadNotes.js"
import { managerReplyNoteText, personMessageNoteText } from "../../src/crm/leadTexts.js"
import type { Lead } from "../../src/lead/Lead.js"

const lead: Lead = {
  id: "3f1c2a9e-0b7d-4c1e-9f00-12ab34cd56ef",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard Smith Jr", username: Option.some("betterrman") },
  createdAt: 0,
  tapId: "q1",
  campaign: Option.some("vk_spring")
}
const extras: LeadExtras = {
  phone: Option.some("+79991234567"),
  followUps: [],
  utm: { utm_source: "vk", utm_medium: "cpc", utm_term: "лиды" }
}
const bare: LeadExtras = { phone: Option.none(), followUps: [], utm: {} }
const TOKEN = "3f1c2a9e0b7d4c1e9f0012ab34cd56ef"

describe("amoCRM's lead", () => {
  it("leads/complex: the name with the id as a word, the pipeline, UTM by field code, tags, the phone", () => {
    expect(complexLead(lead, extras, Option.some(7001))).toEqual([{
      name: `MONSTER AGENCY: Привлечь клиентов · ${TOKEN}`,
      pipeline_id: 7001,
      custom_fields_values: [
        { field_code: "UTM_SOURCE", values: [{ value: "vk" }] },
        { field_code: "UTM_MEDIUM", values: [{ value: "cpc" }] },
        { field_code: "UTM_TERM", values: [{ value: "лиды" }] }
      ],
      _embedded: {
        tags: [{ name: "agency" }, { name: "vk_spring" }],
        contacts: [{
          name: "Galliard Smith Jr",
          custom_fields_values: [{ field_code: "PHONE", values: [{ value: "+79991234567", enum_code: "MOB" }] }]
        }]
      }
    }])
  })

  it("without a pipeline, UTM, campaign or phone: none of their keys (amoCRM refuses empty values)", () => {
    expect(complexLead({ ...lead, campaign: Option.none() }, bare, Option.none())).toEqual([{
      name: `MONSTER AGENCY: Привлечь клиентов · ${TOKEN}`,
      _embedded: { tags: [{ name: "agency" }], contacts: [{ name: "Galliard Smith Jr" }] }
    }])
  })

  it("the name fits in 255 characters and keeps the id; a search result is ours only when its name ends so", () => {
    const long = { ...lead, title: "Ы".repeat(400) }
    expect(leadName(long)).toHaveLength(255)
    expect(nameCarries(leadName(long), lead.id)).toBe(true)
    expect(nameCarries(leadName(lead), lead.id)).toBe(true)
    expect(searchToken("abc-1")).toBe("abc1")
    expect(nameCarries(leadName({ ...lead, id: "abc-12" }), "abc-1")).toBe(false)
    expect(nameCarries("MONSTER AGENCY: Привлечь клиентов", lead.id)).toBe(false)
  })

  it("a note is a common note whose request_id is its key; a phone is added beside the contact's, once", () => {
    expect(commonNote("relay:9", "Менеджер Анна: добрый день")).toEqual([
      { note_type: "common", params: { text: "Менеджер Анна: добрый день" }, request_id: "relay:9" }
    ])
    expect(phonePatch(["+70000000000"], "+79991234567")).toEqual(Option.some({
      custom_fields_values: [{
        field_code: "PHONE",
        values: [{ value: "+70000000000", enum_code: "MOB" }, { value: "+79991234567", enum_code: "MOB" }]
      }]
    }))
    expect(phonePatch(["+79991234567"], "+79991234567")).toEqual(Option.none())
  })

  it("the first note holds what fields cannot: Telegram name, @username, id, service, campaign, lead id", () => {
    const amo: CrmTarget = {
      _tag: "AmoCrm",
      url: "https://a.amocrm.ru",
      token: Redacted.make("t"),
      pipelineId: Option.none(),
      urlVariable: "AMOCRM_URL_AGENCY",
      tokenVariable: "AMOCRM_TOKEN_AGENCY"
    }
    const early = { ...extras, followUps: [{ text: "[фото] мой сайт", at: 1 }, { text: "нужно к маю", at: 2 }] }
    expect(leadNotes(amo, lead, early)).toEqual([{
      key: "lead",
      text: [
        "Заявка из Telegram-бота",
        "Имя в Telegram: Galliard Smith Jr",
        "Username: @betterrman",
        "Telegram ID: 501",
        "Услуга: Привлечь клиентов",
        "Кампания: vk_spring",
        `ID заявки: ${lead.id}`,
        "",
        "Сообщения до передачи в CRM:",
        "— [фото] мой сайт",
        "— нужно к маю"
      ].join("\n")
    }])
    const bitrix: CrmTarget = { _tag: "Bitrix24", url: Redacted.make("x"), sourceId: "WEB", urlVariable: "B" }
    expect(leadNotes(bitrix, lead, extras)).toEqual([])
  })

  it("later notes: a manager's reply and the person's message, media as [фото] <caption>", () => {
    expect(managerReplyNoteText("Анна", "Позвоню в 12")).toBe("Менеджер Анна: Позвоню в 12")
    expect(personMessageNoteText(Option.some("photo"), "логотип")).toBe("Клиент: [фото] логотип")
    expect(personMessageNoteText(Option.some("voice"), "")).toBe("Клиент: [голосовое сообщение]")
  })
})

describe("Bitrix24's lead", () => {
  it("crm.lead.add: title, name split, mobile phone, source, Telegram, UTM, originator and origin, comments", () => {
    expect(addLead(lead, extras, "WEB")).toEqual({
      fields: {
        TITLE: "MONSTER AGENCY: Привлечь клиентов",
        NAME: "Galliard",
        LAST_NAME: "Smith Jr",
        PHONE: [{ VALUE: "+79991234567", VALUE_TYPE: "MOBILE" }],
        SOURCE_ID: "WEB",
        SOURCE_DESCRIPTION: "Telegram: Galliard Smith Jr, @betterrman, id 501",
        UTM_SOURCE: "vk",
        UTM_MEDIUM: "cpc",
        UTM_TERM: "лиды",
        ORIGINATOR_ID: "leadbot",
        ORIGIN_ID: lead.id,
        COMMENTS: `Услуга: Привлечь клиентов\nКампания: vk_spring\nID заявки: ${lead.id}`
      },
      params: { REGISTER_SONET_EVENT: "Y" }
    })
  })

  it("without a phone, UTM, username or campaign: none of their fields; one name is NAME alone", () => {
    const plain = { ...lead, contact: { ...lead.contact, fullName: "Galliard", username: Option.none() } }
    expect(addLead({ ...plain, campaign: Option.none() }, bare, "UC_TG").fields).toEqual({
      TITLE: "MONSTER AGENCY: Привлечь клиентов",
      NAME: "Galliard",
      SOURCE_ID: "UC_TG",
      SOURCE_DESCRIPTION: "Telegram: Galliard, id 501",
      ORIGINATOR_ID: "leadbot",
      ORIGIN_ID: lead.id,
      COMMENTS: `Услуга: Привлечь клиентов\nКампания: —\nID заявки: ${lead.id}`
    })
    expect(splitName("  Анна  ")).toEqual({ NAME: "Анна" })
  })

  it("the search, a comment, a later phone (none when the lead has it)", () => {
    expect(findLead(lead.id)).toEqual({
      filter: { ORIGINATOR_ID: "leadbot", ORIGIN_ID: lead.id },
      select: ["ID"],
      order: { ID: "ASC" }
    })
    expect(leadComment(42, "Клиент: ещё вопрос")).toEqual({
      fields: { ENTITY_ID: 42, ENTITY_TYPE: "lead", COMMENT: "Клиент: ещё вопрос" }
    })
    expect(phoneUpdate(42, [], "+79991234567")).toEqual(
      Option.some({ id: 42, fields: { PHONE: [{ VALUE: "+79991234567", VALUE_TYPE: "MOBILE" }] } })
    )
    expect(phoneUpdate(42, ["+79991234567"], "+79991234567")).toEqual(Option.none())
  })
})

describe("the webhook's JSON", () => {
  it("has follow_ups only when there are some (today's JSON exactly otherwise)", () => {
    expect(crmPayload(lead, {})).not.toHaveProperty("follow_ups")
    expect(crmPayload(lead, {}, Option.none(), [{ text: "ещё", at: 5 }]).follow_ups).toEqual([{ text: "ещё", at: 5 }])
  })
})
