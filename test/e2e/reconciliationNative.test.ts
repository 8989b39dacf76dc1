import { afterEach, describe, expect, it } from "vitest"

import { AmoCrmSim } from "../../sim/AmoCrmSim.js"
import { Bitrix24Sim } from "../../sim/Bitrix24Sim.js"
import { agencyOnAmoCrm, agencyOnBitrix24 } from "../support/nativeCrmEnv.js"
import { galliard } from "../support/people.js"
import { type Harness, startHarness } from "../support/runBot.js"

const SERVICE = "📈 Привлечь клиентов"
const RECONCILED = /\n\n✅ Доставлено в CRM автоматически, /

/**
 * Reconciliation with the CRMs spoken natively: agency on amoCRM or Bitrix24, down when the lead comes (it falls back),
 * back later; what the person sent meanwhile reaches the CRM with the lead, and what they send after, as its notes.
 */
describe("reconciliation with amoCRM and Bitrix24, the real bot against their stand-ins", () => {
  let h: Harness | undefined
  const closers: Array<() => Promise<void>> = []
  afterEach(async () => {
    await h?.stop()
    h = undefined
    for (const close of closers.splice(0)) await close()
  })

  /** The lead falls back; the person writes, then shares their phone; the CRM comes back. The fallback message. */
  const fallBackThenReturn = async (crm: { setMode: AmoCrmSim["setMode"] }) => {
    const harness = h!
    await crm.setMode({ kind: "status", status: 500 })
    harness.telegram.sendText(galliard, "/start agency")
    await harness.telegram.waitFor("the menu", () => harness.telegram.botMessages(galliard.id)[0])
    harness.telegram.tap(galliard, SERVICE)
    const fallback = await harness.telegram.waitFor("the fallback", () => harness.telegram.admin[0], 15_000)
    harness.telegram.sendText(galliard, "Нужен лендинг к весне")
    await harness.telegram.waitFor("the smart edit", () => fallback.text.includes("Нужен лендинг") || undefined)
    harness.telegram.sendText(galliard, "+79001234567")
    await harness.telegram.waitFor("the phone edited in", () => fallback.text.includes("+79001234567") || undefined)
    await crm.setMode({ kind: "ok" })
    await harness.telegram.waitFor("the message edited", () => RECONCILED.test(fallback.text) || undefined, 45_000)
    return fallback
  }

  it(
    "amoCRM: the lead once, its contact's phone, the early messages in its first note; a later one as a note",
    async () => {
      const amo = await AmoCrmSim.start()
      closers.push(() => amo.close())
      h = await startHarness({ CRM_RECONCILE_HOURS: undefined, ...agencyOnAmoCrm(amo) })
      await fallBackThenReturn(amo)
      await h.telegram.waitFor("the first note", () => amo.view()[0]?.notes.length === 1 || undefined)
      const [lead] = amo.view()
      expect(amo.leads).toHaveLength(1)
      expect(lead!.contact!.custom_fields_values).toEqual([
        expect.objectContaining({ field_code: "PHONE", values: [expect.objectContaining({ value: "+79001234567" })] })
      ])
      expect(lead!.notes[0]).toContain("Сообщения до передачи в CRM:\n— Нужен лендинг к весне")

      h.telegram.sendText(galliard, "И логотип")
      await h.telegram.waitFor("the later note", () => amo.view()[0]!.notes.length === 2 || undefined, 15_000)
      expect(amo.view()[0]!.notes[1]).toContain("И логотип")
      expect(amo.leads).toHaveLength(1)
    },
    90_000
  )

  it(
    "Bitrix24: the lead once, with its phone and the early messages in its comments; a later one on its timeline",
    async () => {
      const bitrix = await Bitrix24Sim.start()
      closers.push(() => bitrix.close())
      h = await startHarness({ CRM_RECONCILE_HOURS: undefined, ...agencyOnBitrix24(bitrix) })
      await fallBackThenReturn(bitrix)
      const [lead] = bitrix.view()
      expect(bitrix.view()).toHaveLength(1)
      expect(lead!.PHONE).toEqual([expect.objectContaining({ VALUE: "+79001234567" })])
      expect(String((lead as Record<string, unknown>)["COMMENTS"])).toContain("Нужен лендинг к весне")

      h.telegram.sendText(galliard, "И логотип")
      await h.telegram.waitFor("the later comment", () => bitrix.view()[0]!.comments.length === 1 || undefined, 15_000)
      expect(bitrix.view()[0]!.comments).toEqual(["И логотип"])
      expect(bitrix.view()).toHaveLength(1)
    },
    90_000
  )
})
