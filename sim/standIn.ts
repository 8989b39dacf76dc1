import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"

/**
 * What a native CRM's stand-in does with the next requests, beside answering them as the CRM would:
 * - `ok`: as the CRM would (its own checks: token, fields, rate);
 * - `status`: that HTTP status, with the CRM's error body for it;
 * - `tooMany`: the CRM's "too many requests" (amoCRM 429, Bitrix24 503 QUERY_LIMIT_EXCEEDED), whatever the rate;
 * - `unauthorized`: the CRM's refusal of the credentials (401);
 * - `hang`: no answer, ever; `slow`: the answer after `ms`;
 * - `acceptThenHang`: the request is done (a lead made) but no answer comes: a timeout after the CRM took it;
 * - `reset`: the connection is closed at once; `refused`: nothing listens on the port.
 */
export type StandInMode =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "tooMany" }
  | { readonly kind: "unauthorized" }
  | { readonly kind: "hang" }
  | { readonly kind: "slow"; readonly ms: number }
  | { readonly kind: "acceptThenHang" }
  | { readonly kind: "reset" }
  | { readonly kind: "refused" }

export const STAND_IN_MODES = [
  "ok",
  "status",
  "tooMany",
  "unauthorized",
  "hang",
  "slow",
  "acceptThenHang",
  "reset",
  "refused"
] as const

/** A stand-in's answer: a status and a JSON body (none for 204). */
export interface Reply {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

/** A request as it arrived (every one, whatever the answer). */
export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage["headers"]
  /** The JSON body; undefined when there was none or it was not JSON. */
  readonly body: unknown
  readonly at: number
}

/** What a stand-in of a CRM knows how to say. */
export interface CrmRules {
  /** The CRM's own answer to a request (after its checks), doing what it asks. */
  readonly handle: (request: Received) => Reply
  /** The CRM's error body for an HTTP status. */
  readonly errorReply: (status: number) => Reply
  readonly tooManyReply: () => Reply
  readonly unauthorizedReply: () => Reply
}

/** The HTTP side of a native CRM's stand-in on 127.0.0.1: the requests, the modes, the sockets. */
export class StandInServer {
  readonly received: Array<Received> = []
  private mode: StandInMode = { kind: "ok" }
  /** How many requests the mode still applies to (then `ok` again); undefined: until changed. */
  private modeLeft: number | undefined
  private readonly sockets = new Set<Socket>()
  private listening = true

  private constructor(private readonly server: Server, readonly port: number, private readonly rules: CrmRules) {}

  static async start(rules: CrmRules, port = 0): Promise<StandInServer> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, "127.0.0.1", resolve)
    })
    const standIn = new StandInServer(server, (server.address() as AddressInfo).port, rules)
    server.on("connection", (socket) => {
      standIn.sockets.add(socket)
      socket.on("close", () => standIn.sockets.delete(socket))
    })
    server.on("request", (req, res) => void standIn.onRequest(req, res))
    return standIn
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The mode for the next requests: all of them, or `times` of them (then `ok` again). */
  async setMode(mode: StandInMode, times?: number): Promise<void> {
    this.mode = mode
    this.modeLeft = times
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

  private takeMode(): StandInMode {
    const mode = this.mode
    if (this.modeLeft !== undefined && --this.modeLeft <= 0) {
      this.mode = { kind: "ok" }
      this.modeLeft = undefined
    }
    return mode
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString("utf8")
    let body: unknown
    try {
      body = text === "" ? undefined : JSON.parse(text)
    } catch {
      body = undefined
    }
    const request: Received = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body,
      at: Date.now()
    }
    this.received.push(request)
    const mode = this.takeMode()
    switch (mode.kind) {
      case "hang":
        return
      case "reset":
        return req.socket.destroy()
      case "status":
        return send(res, this.rules.errorReply(mode.status))
      case "tooMany":
        return send(res, this.rules.tooManyReply())
      case "unauthorized":
        return send(res, this.rules.unauthorizedReply())
      case "acceptThenHang":
        this.rules.handle(request)
        return
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, mode.ms))
        break
      default:
        break
    }
    if (!res.destroyed) send(res, this.rules.handle(request))
  }
}

const send = (res: ServerResponse, reply: Reply) => {
  const json = reply.body === undefined ? "" : JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    ...(json === "" ? {} : { "content-type": "application/json" }),
    ...reply.headers
  })
  res.end(json)
}

/** A sliding window of requests: how many arrived within `windowMs` before `now`, this one counted. */
export const slidingWindow = (windowMs = 1_000) => {
  const arrivals: Array<number> = []
  return (now: number): number => {
    while (arrivals.length > 0 && arrivals[0]! <= now - windowMs) arrivals.shift()
    arrivals.push(now)
    return arrivals.length
  }
}
