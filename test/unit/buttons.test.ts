import { describe, expect, it } from "@effect/vitest"

import {
  brandButton,
  consentButton,
  forgetButton,
  handledButton,
  leadButton,
  parseButton,
  takeButton
} from "../../src/telegram/buttons.js"

describe("inline buttons' callback data", () => {
  it("parses what each button is built with back to it", () => {
    expect(parseButton(leadButton("cg", "render-3d"))).toEqual({ _tag: "Lead", profile: "cg", serviceId: "render-3d" })
    expect(parseButton(brandButton("express"))).toEqual({ _tag: "Brand", profile: "express" })
    expect(parseButton(handledButton("L1"))).toEqual({ _tag: "Handled", leadId: "L1" })
    expect(parseButton(takeButton("L2"))).toEqual({ _tag: "Take", leadId: "L2" })
    expect(parseButton(consentButton("0123456789abcdef0123"))).toEqual({
      _tag: "Consent",
      acceptKey: "0123456789abcdef"
    })
    expect(parseButton(forgetButton(true))).toEqual({ _tag: "Forget", confirmed: true })
    expect(parseButton(forgetButton(false))).toEqual({ _tag: "Forget", confirmed: false })
  })

  it("splits a lead's data at its one colon, and refuses a second", () => {
    expect(parseButton("lead::")).toEqual({ _tag: "Lead", profile: "", serviceId: "" })
    expect(parseButton("lead:a:b:c")).toEqual({ _tag: "Unknown" })
    expect(parseButton("lead:agency")).toEqual({ _tag: "Unknown" })
  })

  it("answers data no button of this bot sends as Unknown", () => {
    for (const data of ["", "done:", "take:", "consent:", "forget:maybe", "forget:", "LEAD:a:b", " brand:a", "x"]) {
      expect(parseButton(data)).toEqual({ _tag: "Unknown" })
    }
  })
})
