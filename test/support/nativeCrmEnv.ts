import type { AmoCrmSim } from "../../sim/AmoCrmSim.js"
import type { Bitrix24Sim } from "../../sim/Bitrix24Sim.js"

/** agency on the amoCRM stand-in instead of its webhook (a variable given as undefined is unset); cg, express stay. */
export const agencyOnAmoCrm = (amo: AmoCrmSim) => ({
  CRM_WEBHOOK_URL_AGENCY: undefined,
  AMOCRM_URL_AGENCY: amo.url,
  AMOCRM_TOKEN_AGENCY: amo.token
})

/** agency on the Bitrix24 stand-in instead of its webhook. */
export const agencyOnBitrix24 = (bitrix: Bitrix24Sim) => ({
  CRM_WEBHOOK_URL_AGENCY: undefined,
  BITRIX24_WEBHOOK_URL_AGENCY: bitrix.webhookUrl
})
