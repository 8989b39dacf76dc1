import { complexLeadShape, contactShape, type FieldError, noteShape } from "./amoCrmShapes.js"
import { type CrmRules, type Received, type Reply, slidingWindow, type StandInMode, StandInServer } from "./standIn.js"

/**
 * A stand-in for one amoCRM account (API v4) on 127.0.0.1, strict: a Bearer token, the shapes of amoCRM's
 * documentation (sim/amoCrmShapes.ts), at most 7 requests a second (a burst over it gets 429), the search by
 * `query`, 204 for a search or an entity that finds nothing. Sources, beside those of the shapes:
 * - https://developers.kommo.com/docs/limitations and https://www.amocrm.com/developers/content/api/recommendations
 *   (no more than 7 requests a second; 429 beyond, a block on repeated abuse)
 * - https://www.amocrm.ru/developers/content/crm_platform/leads-api (`GET /api/v4/leads?query=&with=contacts`)
 * - https://amocrm.ru/developers/content/crm_platform/contacts-api (`GET`/`PATCH /api/v4/contacts/{id}`)
 * - https://www.amocrm.com/developers/content/api_v4/account-parameters/ (`GET /api/v4/account`)
 * - https://kommo.com/developers/content/oauth/long-lived-token (a private integration's long-lived token, Bearer)
 */

export interface AmoLead {
  readonly id: number
  readonly name: string
  readonly pipeline_id: number
  readonly custom_fields_values: ReadonlyArray<{ field_code: string; values: ReadonlyArray<{ value: string }> }>
  readonly tags: ReadonlyArray<string>
  readonly contactId: number | undefined
}
export interface AmoContact {
  readonly id: number
  name: string
  custom_fields_values: Array<{ field_code: string; values: Array<{ value: string; enum_code?: string }> }>
}
export interface AmoNote {
  readonly id: number
  readonly leadId: number
  readonly text: string
  readonly requestId: string | undefined
}

export interface AmoCrmSimOptions {
  readonly port?: number
  readonly token?: string
  readonly pipelines?: ReadonlyArray<number>
  /** amoCRM's limit: 7 a second. */
  readonly requestsPerSecond?: number
}

/** The bodies as the shapes let them in (checked before these are read). */
interface LeadIn {
  readonly name?: string
  readonly pipeline_id?: number
  readonly custom_fields_values?: AmoLead["custom_fields_values"]
  readonly _embedded?: {
    readonly tags?: ReadonlyArray<{ readonly name?: string; readonly id?: number }>
    readonly contacts?: ReadonlyArray<
      { readonly name?: string; readonly custom_fields_values?: AmoContact["custom_fields_values"] }
    >
  }
}
interface NoteIn {
  readonly params: { readonly text: string }
  readonly request_id?: string
}
interface ContactIn {
  readonly name?: string
  readonly custom_fields_values?: AmoContact["custom_fields_values"]
}

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { title, type: `https://httpstatus.es/${status}`, status, detail, ...extra },
  headers: { "content-type": "application/problem+json" }
})

const invalid = (errors: ReadonlyArray<{ readonly index: number; readonly errors: ReadonlyArray<FieldError> }>) =>
  problem(400, "Bad Request", "Request validation failed", {
    "validation-errors": errors.map(({ errors, index }) => ({ request_id: String(index), errors }))
  })

const hal = (body: unknown): Reply => ({ status: 200, body, headers: { "content-type": "application/hal+json" } })

export class AmoCrmSim {
  readonly leads: Array<AmoLead> = []
  readonly contacts: Array<AmoContact> = []
  readonly notes: Array<AmoNote> = []
  /** How many requests got 429 because they came too fast (not those of the `tooMany` mode). */
  tooFast = 0
  private nextId = 1000
  private readonly pipelines: Set<number>
  private readonly rate: (now: number) => number

  private constructor(readonly token: string, pipelines: ReadonlyArray<number>, private readonly perSecond: number) {
    this.pipelines = new Set(pipelines)
    this.rate = slidingWindow(1_000)
  }

  private server!: StandInServer

  static async start(options: AmoCrmSimOptions = {}): Promise<AmoCrmSim> {
    const sim = new AmoCrmSim(
      options.token ?? "amo-test-token",
      options.pipelines ?? [7001],
      options.requestsPerSecond ?? 7
    )
    sim.server = await StandInServer.start(sim.rules(), options.port)
    return sim
  }

  /** The account's address, as AMOCRM_URL_<BRAND> takes it. */
  get url(): string {
    return this.server.origin
  }

  /** Every request that arrived, whatever the answer. */
  get received(): ReadonlyArray<Received> {
    return this.server.received
  }

  setMode(mode: StandInMode, times?: number): Promise<void> {
    return this.server.setMode(mode, times)
  }

  close(): Promise<void> {
    return this.server.close()
  }

  /** The account as a manager sees it: each lead with its contact and notes. */
  view() {
    return this.leads.map((lead) => ({
      ...lead,
      contact: this.contacts.find((c) => c.id === lead.contactId),
      notes: this.notes.filter((n) => n.leadId === lead.id).map((n) => n.text)
    }))
  }

  private rules(): CrmRules {
    return {
      handle: (request) => this.handle(request),
      errorReply: (status) => problem(status, status >= 500 ? "Internal Server Error" : "Error", "Stand-in fault"),
      tooManyReply: () => problem(429, "Too Many Requests", "Too many requests"),
      unauthorizedReply: () => problem(401, "Unauthorized", "Неверный логин или пароль")
    }
  }

  private handle(request: Received): Reply {
    if (this.rate(request.at) > this.perSecond) {
      this.tooFast++
      return problem(429, "Too Many Requests", `More than ${this.perSecond} requests a second`)
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return problem(401, "Unauthorized", "Неверный логин или пароль")
    }
    const url = new URL(request.path, "http://stand-in")
    const route = `${request.method} ${url.pathname.replace(/\/\d+(?=\/|$)/g, "/{id}")}`
    const id = Number(/\/(\d+)(?:\/|$)/.exec(url.pathname)?.[1])
    if (request.body !== undefined && !String(request.headers["content-type"]).startsWith("application/json")) {
      return problem(400, "Bad Request", "Expected JSON")
    }
    switch (route) {
      case "GET /api/v4/account":
        return hal({ id: 31_000_001, name: "Stand-in agency", subdomain: "standin", current_user_id: 1, country: "RU" })
      case "GET /api/v4/leads/pipelines/{id}":
        return this.pipelines.has(id)
          ? hal({ id, name: `Воронка ${id}`, is_main: true })
          : problem(404, "Not Found", "")
      case "POST /api/v4/leads/complex":
        return this.addLeads(request.body)
      case "GET /api/v4/leads":
        return this.search(url.searchParams.get("query") ?? "", url.searchParams.get("with") ?? "")
      case "POST /api/v4/leads/{id}/notes":
        return this.addNotes(id, request.body)
      case "GET /api/v4/contacts/{id}": {
        const contact = this.contacts.find((c) => c.id === id)
        return contact === undefined ? { status: 204 } : hal(contact)
      }
      case "PATCH /api/v4/contacts/{id}":
        return this.patchContact(id, request.body)
      default:
        return problem(404, "Not Found", `Cannot ${request.method} ${url.pathname}`)
    }
  }

  private addLeads(body: unknown): Reply {
    if (!Array.isArray(body) || body.length === 0 || body.length > 50) {
      return invalid([{ index: 0, errors: [{ code: "InvalidType", path: "", detail: "1 to 50 leads a request." }] }])
    }
    const errors = body.map((lead, index) => ({ index, errors: complexLeadShape(lead, this.pipelines) }))
      .filter((e) => e.errors.length > 0)
    if (errors.length > 0) return invalid(errors)
    return hal((body as ReadonlyArray<LeadIn>).map((lead, index) => {
      const embedded = lead._embedded ?? {}
      const given = embedded.contacts?.[0]
      const contact: AmoContact | undefined = given === undefined
        ? undefined
        : { id: this.nextId++, name: given.name ?? "", custom_fields_values: [...(given.custom_fields_values ?? [])] }
      if (contact !== undefined) this.contacts.push(contact)
      const made: AmoLead = {
        id: this.nextId++,
        name: lead.name ?? `Сделка #${this.nextId}`,
        pipeline_id: lead.pipeline_id ?? [...this.pipelines][0] ?? 0,
        custom_fields_values: lead.custom_fields_values ?? [],
        tags: (embedded.tags ?? []).map((t) => t.name ?? String(t.id)),
        contactId: contact?.id
      }
      this.leads.push(made)
      return {
        id: made.id,
        contact_id: contact?.id ?? null,
        company_id: null,
        request_id: [String(index)],
        merged: false
      }
    }))
  }

  /** amoCRM's `query`: the leads one of whose filled fields (the name, a field's value) holds the text. */
  private search(query: string, withs: string): Reply {
    const q = query.toLowerCase()
    const found = q === "" ? [] : this.leads.filter((lead) =>
      lead.name.toLowerCase().includes(q) ||
      lead.custom_fields_values.some((f) => f.values.some((v) => v.value.toLowerCase().includes(q)))
    )
    if (found.length === 0) return { status: 204 }
    return hal({
      _page: 1,
      _embedded: {
        leads: found.slice(0, 50).map((lead) => ({
          id: lead.id,
          name: lead.name,
          pipeline_id: lead.pipeline_id,
          custom_fields_values: lead.custom_fields_values,
          _embedded: {
            tags: lead.tags.map((name) => ({ name })),
            ...(withs.split(",").includes("contacts") && lead.contactId !== undefined
              ? { contacts: [{ id: lead.contactId, is_main: true }] }
              : {})
          }
        }))
      }
    })
  }

  private addNotes(leadId: number, body: unknown): Reply {
    if (!this.leads.some((l) => l.id === leadId)) return problem(404, "Not Found", `No lead ${leadId}`)
    if (!Array.isArray(body) || body.length === 0) {
      return invalid([{ index: 0, errors: [{ code: "InvalidType", path: "", detail: "An array of notes." }] }])
    }
    const errors = body.map((note, index) => ({ index, errors: noteShape(note) })).filter((e) => e.errors.length > 0)
    if (errors.length > 0) return invalid(errors)
    const made = (body as ReadonlyArray<NoteIn>).map((note) => {
      const kept: AmoNote = { id: this.nextId++, leadId, text: note.params.text, requestId: note.request_id }
      this.notes.push(kept)
      return { id: kept.id, entity_id: leadId, request_id: kept.requestId }
    })
    return hal({ _total_items: made.length, _embedded: { notes: made } })
  }

  private patchContact(id: number, body: unknown): Reply {
    const contact = this.contacts.find((c) => c.id === id)
    if (contact === undefined) return problem(404, "Not Found", `No contact ${id}`)
    const errors = contactShape(body, "")
    if (errors.length > 0) return invalid([{ index: 0, errors }])
    const patch = body as ContactIn
    if (patch.name !== undefined) contact.name = patch.name
    // amoCRM replaces a field's values with those sent; fields not sent stay.
    for (const field of patch.custom_fields_values ?? []) {
      contact.custom_fields_values = [
        ...contact.custom_fields_values.filter((f) => f.field_code !== field.field_code),
        field
      ]
    }
    return hal({ id, updated_at: Math.floor(Date.now() / 1000) })
  }
}
