import { fieldDescriptions, fieldProblems, SOURCES } from "./bitrix24Shapes.js"
import { type CrmRules, type Received, type Reply, type StandInMode, StandInServer } from "./standIn.js"

/**
 * A stand-in for one Bitrix24 portal's inbound webhook on 127.0.0.1, strict: the webhook's path (user id and code),
 * its `crm` scope, the lead's fields (sim/bitrix24Shapes.ts, with the sources), the portal's leaky bucket (2 requests
 * a second drained, QUERY_LIMIT_EXCEEDED beyond the burst), `crm.lead.list`'s filter to find a lead of ours again.
 */

export interface BitrixLead {
  readonly ID: number
  fields: Record<string, unknown>
  PHONE: Array<{ ID: number; VALUE: string; VALUE_TYPE: string }>
}
export interface BitrixComment {
  readonly id: number
  readonly leadId: number
  readonly text: string
}

export interface Bitrix24SimOptions {
  readonly port?: number
  readonly userId?: number
  readonly code?: string
  /** The webhook's scopes (`crm` by default). */
  readonly scopes?: ReadonlyArray<string>
  /** Bitrix24's bucket: drained 2 a second, a block past 50. */
  readonly drainPerSecond?: number
  readonly burst?: number
}

const err = (status: number, error: string, description: string): Reply => ({
  status,
  body: { error, error_description: description }
})

export class Bitrix24Sim {
  readonly leads: Array<BitrixLead> = []
  readonly comments: Array<BitrixComment> = []
  /** How many requests got QUERY_LIMIT_EXCEEDED because they came too fast (not those of the `tooMany` mode). */
  tooFast = 0
  private nextId = 1
  private bucket = 0
  private drainedAt = Date.now()
  private server!: StandInServer

  private constructor(private readonly options: Required<Omit<Bitrix24SimOptions, "port">>) {}

  static async start(options: Bitrix24SimOptions = {}): Promise<Bitrix24Sim> {
    const sim = new Bitrix24Sim({
      userId: options.userId ?? 1,
      code: options.code ?? "stand-in-secret-code",
      scopes: options.scopes ?? ["crm"],
      drainPerSecond: options.drainPerSecond ?? 2,
      burst: options.burst ?? 50
    })
    sim.server = await StandInServer.start(sim.rules(), options.port)
    return sim
  }

  /** The inbound webhook's URL, as BITRIX24_WEBHOOK_URL_<BRAND> takes it. */
  get webhookUrl(): string {
    return `${this.server.origin}/rest/${this.options.userId}/${this.options.code}/`
  }

  get received(): ReadonlyArray<Received> {
    return this.server.received
  }

  setMode(mode: StandInMode, times?: number): Promise<void> {
    return this.server.setMode(mode, times)
  }

  close(): Promise<void> {
    return this.server.close()
  }

  /** The portal as a manager sees it: each lead with its phones and timeline comments. */
  view() {
    return this.leads.map((lead) => ({
      ID: lead.ID,
      ...lead.fields,
      PHONE: lead.PHONE,
      comments: this.comments.filter((c) => c.leadId === lead.ID).map((c) => c.text)
    }))
  }

  private rules(): CrmRules {
    return {
      handle: (request) => this.handle(request),
      errorReply: (status) =>
        status >= 500 ? err(status, "INTERNAL_SERVER_ERROR", "Internal server error") : err(status, "", "Stand-in"),
      tooManyReply: () => err(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
      unauthorizedReply: () => err(401, "expired_token", "The access token provided has expired")
    }
  }

  /** The leaky bucket: each request adds one, `drainPerSecond` drain away; past `burst`, refused. */
  private overLimit(now: number): boolean {
    this.bucket = Math.max(0, this.bucket - ((now - this.drainedAt) / 1000) * this.options.drainPerSecond)
    this.drainedAt = now
    if (this.bucket + 1 > this.options.burst) return true
    this.bucket += 1
    return false
  }

  private handle(request: Received): Reply {
    const match = /^\/rest\/(\d+)\/([^/]+)\/([a-z.]+?)(?:\.json)?(?:\?.*)?$/.exec(request.path)
    if (match === null || Number(match[1]) !== this.options.userId || match[2] !== this.options.code) {
      return err(401, "NO_AUTH_FOUND", "Wrong authorization data")
    }
    if (this.overLimit(request.at)) {
      this.tooFast++
      return err(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
    }
    const method = match[3]!
    if (method.startsWith("crm.") && !this.options.scopes.includes("crm")) {
      return err(403, "insufficient_scope", "The request requires higher privileges than provided by the webhook token")
    }
    const params = (request.body ?? {}) as Record<string, unknown>
    if (typeof params !== "object" || params === null) return err(400, "INVALID_REQUEST", "Expected JSON parameters")
    switch (method) {
      case "crm.lead.fields":
        return ok(fieldDescriptions())
      case "crm.lead.add":
        return this.add(params)
      case "crm.lead.update":
        return this.update(params)
      case "crm.lead.get": {
        const lead = this.leads.find((l) => l.ID === Number(params["id"]))
        return lead === undefined
          ? err(400, "", "Not found")
          : ok({ ID: String(lead.ID), ...lead.fields, PHONE: lead.PHONE })
      }
      case "crm.lead.list":
        return this.list(params)
      case "crm.timeline.comment.add":
        return this.comment(params)
      default:
        return err(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
    }
  }

  private refusal(params: Record<string, unknown>, allowed: ReadonlyArray<string>): Reply | undefined {
    const extra = Object.keys(params).filter((k) => !allowed.includes(k))
    if (extra.length > 0) return err(400, "UNKNOWN_FIELD", `Unknown parameters: ${extra.join(", ")}`)
    const problems = fieldProblems(params["fields"], SOURCES)
    return problems.length === 0 ? undefined : err(400, "UNKNOWN_FIELD", problems.join("; "))
  }

  private add(params: Record<string, unknown>): Reply {
    const refused = this.refusal(params, ["fields", "params"])
    if (refused !== undefined) return refused
    const { PHONE, ...fields } = params["fields"] as Record<string, unknown>
    const lead: BitrixLead = { ID: this.nextId++, fields, PHONE: [] }
    this.addPhones(lead, PHONE)
    this.leads.push(lead)
    return ok(lead.ID)
  }

  private update(params: Record<string, unknown>): Reply {
    const refused = this.refusal(params, ["id", "fields", "params"])
    if (refused !== undefined) return refused
    const lead = this.leads.find((l) => l.ID === Number(params["id"]))
    if (lead === undefined) return err(400, "", "Not found")
    const { PHONE, ...fields } = params["fields"] as Record<string, unknown>
    lead.fields = { ...lead.fields, ...fields }
    this.addPhones(lead, PHONE)
    return ok(true)
  }

  /** A multifield value without an ID is added beside the others. */
  private addPhones(lead: BitrixLead, phones: unknown) {
    for (const p of (phones ?? []) as Array<{ VALUE: string; VALUE_TYPE: string }>) {
      lead.PHONE.push({ ID: this.nextId++, VALUE: p.VALUE, VALUE_TYPE: p.VALUE_TYPE })
    }
  }

  /** `filter` by equality (`FIELD` or `=FIELD`), `select` (ID always), pages of 50. */
  private list(params: Record<string, unknown>): Reply {
    const filter = (params["filter"] ?? {}) as Record<string, unknown>
    const found = this.leads.filter((lead) =>
      Object.entries(filter).every(([key, value]) => {
        const field = key.replace(/^=/, "")
        const actual = field === "ID" ? lead.ID : lead.fields[field]
        return actual !== undefined && String(actual) === String(value)
      })
    ).sort((a, b) => a.ID - b.ID)
    const select = (params["select"] ?? ["*"]) as Array<string>
    const start = Number(params["start"] ?? 0)
    const page = found.slice(start, start + 50).map((lead) =>
      Object.fromEntries([
        ["ID", String(lead.ID)],
        ...select.filter((f) => f !== "ID" && f !== "*").map((f) => [f, lead.fields[f] ?? null])
      ])
    )
    return ok(page, { total: found.length, ...(start + 50 < found.length ? { next: start + 50 } : {}) })
  }

  private comment(params: Record<string, unknown>): Reply {
    const fields = params["fields"] as Record<string, unknown> | undefined
    if (fields === undefined) return err(400, "100", "Required fields: fields")
    const extra = Object.keys(fields).filter((k) => !["ENTITY_ID", "ENTITY_TYPE", "COMMENT", "FILES"].includes(k))
    if (extra.length > 0) return err(400, "UNKNOWN_FIELD", `Unknown fields: ${extra.join(", ")}`)
    if (fields["ENTITY_TYPE"] !== "lead") return err(400, "OWNER_NOT_FOUND", "The stand-in keeps leads only")
    const leadId = Number(fields["ENTITY_ID"])
    if (!this.leads.some((l) => l.ID === leadId)) return err(400, "NOT_FOUND", "Not found.")
    if (typeof fields["COMMENT"] !== "string" || fields["COMMENT"].trim() === "") {
      return err(400, "INVALID_ARG_VALUE", "Empty comment")
    }
    const comment: BitrixComment = { id: this.nextId++, leadId, text: fields["COMMENT"] }
    this.comments.push(comment)
    return ok(comment.id)
  }
}

const ok = (result: unknown, extra: Record<string, unknown> = {}): Reply => {
  const now = Date.now() / 1000
  return {
    status: 200,
    body: { result, ...extra, time: { start: now, finish: now, duration: 0, processing: 0, operating: 0 } }
  }
}
