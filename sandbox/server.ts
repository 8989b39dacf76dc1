import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { CrmMode } from "../sim/CrmSim.js"
import type { AdminFault, SimMessage, SimUser } from "../sim/TelegramSim.js"
import { startWorld, type World } from "../sim/world.js"

/** The person you play in the sandbox, and the manager who presses buttons in the admin chat. */
export const PERSON: SimUser = { id: 7001, first_name: "Вы", username: "sandbox_person" }
export const MANAGER: SimUser = { id: 7002, first_name: "Менеджер", username: "sandbox_manager" }

const page = readFileSync(new URL("./index.html", import.meta.url), "utf8")

const view = (m: SimMessage) => ({
  id: m.message_id,
  fromBot: m.fromBot,
  text: m.text,
  media: m.media ?? null,
  edited: m.edits.length,
  replyTo: m.replyTo ?? null,
  buttons: m.keyboard.map((row) => row.map((b) => ({ text: b.text, data: b.callback_data ?? "" })))
})

const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")
    return typeof value === "object" && value !== null ? value : {}
  } catch {
    return {}
  }
}

const crmModes: Record<string, CrmMode> = {
  ok: { kind: "ok" },
  "500": { kind: "status", status: 500 },
  slow: { kind: "slow", ms: 3000 },
  hang: { kind: "hang" },
  refused: { kind: "refused" },
  reset: { kind: "reset" }
}
const adminFaults: Record<string, () => AdminFault> = {
  ok: () => ({ kind: "ok" }),
  "429": () => ({ kind: "429", retryAfter: 3, times: 1 }),
  "500": () => ({ kind: "500", times: Number.MAX_SAFE_INTEGER })
}

export interface Sandbox {
  readonly url: string
  readonly world: World
  readonly stop: () => Promise<void>
}

/** The sandbox: the real bot and the stand-ins, and a page on 127.0.0.1 to use them like Telegram. */
export const startSandbox = async (port = 0, options: { entry?: "source" | "bundle" } = {}): Promise<Sandbox> => {
  const world = await startWorld({ env: { CRM_TIMEOUT_MS: "5000", ADMIN_TIMEZONE: "Europe/Moscow" }, entry: options.entry ?? "bundle" })
  const { telegram, crm } = world
  let crmMode = "ok"
  let adminFault = "ok"

  const api = async (req: IncomingMessage, res: ServerResponse) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
      res.end(JSON.stringify(body))
    }
    const path = req.url ?? "/"
    if (req.method === "GET" && (path === "/" || path === "/index.html")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
      return res.end(page)
    }
    if (req.method === "GET" && path === "/api/state") {
      return json(200, {
        person: telegram.chat(PERSON.id).map(view),
        admin: telegram.chat(telegram.adminChatId).map(view),
        crm: crm.requests.map((r) => ({ path: r.path.replace(/[^/]+$/, "…"), body: r.body, accepted: crm.accepted.includes(r) })),
        crmMode,
        adminFault
      })
    }
    if (req.method !== "POST") return json(404, { error: "not found" })
    const body = await readJson(req)
    const text = typeof body.text === "string" ? body.text.slice(0, 4096) : ""
    switch (path) {
      case "/api/person/send":
        if (text.trim() === "") return json(400, { error: "empty message" })
        telegram.sendText(PERSON, text)
        return json(200, { ok: true })
      case "/api/person/send-photo":
        telegram.sendMedia(PERSON, "photo", text || undefined)
        return json(200, { ok: true })
      case "/api/manager/send":
        if (text.trim() === "") return json(400, { error: "empty message" })
        telegram.sendText(MANAGER, text, telegram.adminChatId)
        return json(200, { ok: true })
      case "/api/tap": {
        const inAdmin = body.chat === "admin"
        const messageId = Number(body.messageId)
        const data = String(body.data ?? "")
        if (inAdmin) telegram.tapData(MANAGER, messageId, data, telegram.adminChatId)
        else telegram.tapData(PERSON, messageId, data)
        return json(200, { ok: true })
      }
      case "/api/crm": {
        const mode = crmModes[String(body.mode)]
        if (!mode) return json(400, { error: `CRM mode is one of ${Object.keys(crmModes).join(", ")}` })
        await crm.setMode(mode)
        crmMode = String(body.mode)
        return json(200, { ok: true })
      }
      case "/api/admin-fault": {
        const fault = adminFaults[String(body.mode)]
        if (!fault) return json(400, { error: `admin chat mode is one of ${Object.keys(adminFaults).join(", ")}` })
        telegram.adminFault = fault()
        adminFault = String(body.mode)
        return json(200, { ok: true })
      }
      default:
        return json(404, { error: "not found" })
    }
  }

  const server: Server = createServer((req, res) => {
    api(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
    })
  })
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    world,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await world.stop()
    }
  }
}
