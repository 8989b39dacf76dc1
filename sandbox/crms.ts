import { AmoCrmSim } from "../sim/AmoCrmSim.js"
import { Bitrix24Sim } from "../sim/Bitrix24Sim.js"
import { CRM_MODES, type CrmModeName, type CrmSim } from "../sim/CrmSim.js"

/** The CRM a brand's leads go to: its webhook, amoCRM or Bitrix24 (each a stand-in on 127.0.0.1). */
export const CRM_KINDS = ["webhook", "amocrm", "bitrix24"] as const
export type CrmKind = (typeof CRM_KINDS)[number]

/** The variables that pick each kind, by brand: the bot refuses a brand with two kinds, so a switch sets one. */
const variables = (brand: string) => {
  const suffix = brand.toUpperCase()
  return {
    webhook: [`CRM_WEBHOOK_URL_${suffix}`],
    amocrm: [`AMOCRM_URL_${suffix}`, `AMOCRM_TOKEN_${suffix}`],
    bitrix24: [`BITRIX24_WEBHOOK_URL_${suffix}`]
  } as const
}

/** The campaign's UTM among a native lead's fields (`UTM_SOURCE`…), as the webhook's `utm` names them. */
const utmOf = (fields: ReadonlyArray<readonly [string, unknown]>) =>
  Object.fromEntries(
    fields.filter(([code, value]) => code.startsWith("UTM_") && typeof value === "string")
      .map(([code, value]) => [code.toLowerCase(), value as string])
  )

/** The three CRMs' stand-ins of the sandbox, and which of them each brand is on now (the webhook at first). */
export class SandboxCrms {
  readonly kinds: Map<string, CrmKind>

  private constructor(
    readonly webhook: CrmSim,
    readonly amoCrm: AmoCrmSim,
    readonly bitrix24: Bitrix24Sim,
    brands: ReadonlyArray<string>
  ) {
    this.kinds = new Map(brands.map((brand) => [brand, "webhook"]))
  }

  /** Beside the world's webhook stand-in (`webhook`), which the world stops itself. */
  static async start(webhook: CrmSim, brands: ReadonlyArray<string>): Promise<SandboxCrms> {
    const amoCrm = await AmoCrmSim.start()
    const bitrix24 = await Bitrix24Sim.start().catch(async (error) => {
      await amoCrm.close()
      throw error
    })
    return new SandboxCrms(webhook, amoCrm, bitrix24, brands)
  }

  /** The environment changes that put `brand` on `kind`: its variables set, the other kinds' removed. */
  envFor(brand: string, kind: CrmKind): Record<string, string | undefined> {
    const names = variables(brand)
    const values: Record<CrmKind, ReadonlyArray<string>> = {
      webhook: [this.webhook.webhookUrl(brand)],
      amocrm: [this.amoCrm.url, this.amoCrm.token],
      bitrix24: [this.bitrix24.webhookUrl]
    }
    return Object.fromEntries(
      CRM_KINDS.flatMap((k) => names[k].map((name, i) => [name, k === kind ? values[k][i] : undefined]))
    )
  }

  /** The sandbox's CRM switch: the same fault for all three, whichever a brand is on. */
  async setMode(mode: CrmModeName): Promise<void> {
    await Promise.all([this.webhook, this.amoCrm, this.bitrix24].map((crm) => crm.setMode(CRM_MODES[mode])))
  }

  /** The native CRMs' leads as a manager sees them there: title, contact and phones, UTM, tags, notes. */
  view() {
    return {
      amocrm: this.amoCrm.view().map((lead) => ({
        id: lead.id,
        title: lead.name,
        contact: lead.contact?.name ?? null,
        phones: (lead.contact?.custom_fields_values ?? []).filter((f) => f.field_code === "PHONE")
          .flatMap((f) => f.values.map((v) => v.value)),
        utm: utmOf(lead.custom_fields_values.map((f) => [f.field_code, f.values[0]?.value] as const)),
        tags: lead.tags,
        notes: lead.notes
      })),
      bitrix24: this.bitrix24.view().map((lead) => {
        const fields = lead as Record<string, unknown>
        const text = (name: string) => (typeof fields[name] === "string" ? fields[name] : "")
        return {
          id: lead.ID,
          title: text("TITLE"),
          contact: [text("NAME"), text("LAST_NAME")].filter((t) => t !== "").join(" ") || null,
          phones: lead.PHONE.map((p) => p.VALUE),
          utm: utmOf(Object.entries(fields)),
          source: text("SOURCE_ID") || null,
          // The lead's own COMMENTS (what amoCRM has as the first note), then its timeline comments.
          notes: [text("COMMENTS"), ...lead.comments].filter((t) => t !== "")
        }
      })
    }
  }

  close(): Promise<void> {
    return Promise.all([this.amoCrm.close(), this.bitrix24.close()]).then(() => undefined)
  }
}
