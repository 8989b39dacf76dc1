import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"

/** How the CRM stand-in answers the next requests. */
export type CrmMode =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "slow"; readonly ms: number }
  | { readonly kind: "hang" }
  | { readonly kind: "reset" }
  | { readonly kind: "refused" }
  /** The CRM makes the lead, then its answer is lost (never sent): the bot's timeout ends the call. */
  | { readonly kind: "acceptThenHang" }

/**
 * The CRM's modes by the names the sandbox, the stand-ins' command line and their docs use: `hang` never answers
 * (the bot's CRM_TIMEOUT_MS ends the call), `refused` closes the port, `reset` drops the connection.
 */
export const CRM_MODES = {
  ok: { kind: "ok" },
  "500": { kind: "status", status: 500 },
  slow: { kind: "slow", ms: 3000 },
  hang: { kind: "hang" },
  refused: { kind: "refused" },
  reset: { kind: "reset" }
} as const satisfies Record<string, CrmMode>
export type CrmModeName = keyof typeof CRM_MODES
/** Their names in that order (an object lists "500" first). */
export const CRM_MODE_NAMES: ReadonlyArray<CrmModeName> = ["ok", "500", "slow", "hang", "refused", "reset"]

export interface CrmRequest {
  readonly path: string
  readonly headers: IncomingMessage["headers"]
  readonly body: unknown
  readonly at: number
}

/**
 * A local stand-in for the brands' CRM webhooks on 127.0.0.1, with switchable faults. The webhook is this project's
 * own contract (docs/operating.md, "What happens to a lead"): the seed's JSON, with `Idempotency-Key: <lead id>`,
 * which this CRM honours (a repeat of a key it made a lead for is answered 200 and makes none: `made`), as a
 * middleware that dedupes would.
 */
export class CrmSim {
  /** Leads the CRM accepted (answered 200), repeats included. */
  readonly accepted: Array<CrmRequest> = []
  /** The leads it made: one per Idempotency-Key (a request without one always makes one). */
  readonly made: Array<CrmRequest> = []
  private readonly keys = new Set<string>()
  /** Every request that arrived, whatever the answer. */
  readonly requests: Array<CrmRequest> = []
  private mode: CrmMode = { kind: "ok" }
  private readonly sockets = new Set<Socket>()
  private listening = true

  private constructor(private readonly server: Server, private readonly port: number) {}

  static async start(options: { port?: number } = {}): Promise<CrmSim> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, "127.0.0.1", resolve)
    })
    const sim = new CrmSim(server, (server.address() as AddressInfo).port)
    server.on("connection", (socket) => {
      sim.sockets.add(socket)
      socket.on("close", () => sim.sockets.delete(socket))
    })
    server.on("request", (req, res) => void sim.onRequest(req, res))
    return sim
  }

  /** The webhook URL of a brand; the path stands in for the secret a real one carries. */
  webhookUrl(profile: string): string {
    return `http://127.0.0.1:${this.port}/api/webhook/${profile}/secret-test-token`
  }

  async setMode(mode: CrmMode): Promise<void> {
    this.mode = mode
    if (mode.kind === "refused" && this.listening) {
      this.listening = false
      for (const socket of this.sockets) socket.destroy()
      await new Promise<void>((resolve) => this.server.close(() => resolve()))
    } else if (mode.kind !== "refused" && !this.listening) {
      await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve))
      this.listening = true
    }
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    return this.listening ? new Promise((resolve) => this.server.close(() => resolve())) : Promise.resolve()
  }

  /** Makes the lead, unless its Idempotency-Key made one already. */
  private make(request: CrmRequest) {
    const key = request.headers["idempotency-key"]
    if (typeof key === "string" && this.keys.has(key)) return
    if (typeof key === "string") this.keys.add(key)
    this.made.push(request)
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
    } catch {
      body = undefined
    }
    const request: CrmRequest = { path: req.url ?? "", headers: req.headers, body, at: Date.now() }
    this.requests.push(request)
    const mode = this.mode
    switch (mode.kind) {
      case "hang":
        return
      case "acceptThenHang":
        this.make(request)
        return
      case "reset":
        return req.socket.destroy()
      case "status":
        res.writeHead(mode.status, { "content-type": "text/plain" })
        return res.end(mode.status >= 500 ? "Internal Server Error" : "Rejected")
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, mode.ms))
        break
      default:
        break
    }
    if (res.destroyed) return
    this.make(request)
    this.accepted.push(request)
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify({ status: "ok" }))
  }
}
