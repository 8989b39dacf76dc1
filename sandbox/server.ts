import { existsSync, readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

import { Reactivity } from "@effect/experimental"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Schema } from "effect"

import type { CrmMode } from "../sim/CrmSim.js"
import type { AdminChatGone, AdminFault, SimMessage, SimUser, TelegramSim } from "../sim/TelegramSim.js"
import { startWorld, type World } from "../sim/world.js"

/** The person you play in the sandbox, and the manager who presses buttons in the admin chat. */
export const PERSON: SimUser = { id: 7001, first_name: "Вы", username: "sandbox_person" }
export const MANAGER: SimUser = { id: 7002, first_name: "Менеджер", username: "sandbox_manager" }

const page = readFileSync(new URL("./index.html", import.meta.url), "utf8")

const view = (telegram: TelegramSim) => (m: SimMessage) => ({
  id: m.message_id,
  fromBot: m.fromBot,
  text: m.text,
  // The bot's messages are Telegram HTML (the stand-in checked it); the page renders its tags as Telegram does.
  html: m.fromBot ? m.html : null,
  media: m.media ?? null,
  edited: m.edits.length,
  replyTo: m.replyTo ?? null,
  topic: m.thread === undefined ? null : telegram.topics.get(m.thread)?.name ?? null,
  // The bot's reaction on a manager's message (👍 once the person has its copy).
  reaction: telegram.reactions.get(`${m.chatId}:${m.message_id}`)?.join("") ?? null,
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
const adminFaults: Record<string, () => { fault: AdminFault; gone?: AdminChatGone }> = {
  ok: () => ({ fault: { kind: "ok" } }),
  "429": () => ({ fault: { kind: "429", retryAfter: 3, times: 1 } }),
  "500": () => ({ fault: { kind: "500", times: Number.MAX_SAFE_INTEGER } }),
  "403": () => ({ fault: { kind: "ok" }, gone: "kicked" })
}

const OutboxRow = Schema.Struct({
  brand: Schema.String,
  title: Schema.String,
  created_at: Schema.Number,
  attempts: Schema.Number,
  last_error: Schema.NullOr(Schema.String),
  last_admin_error: Schema.NullOr(Schema.String)
})

/** The leads waiting in the bot's outbox (no human has them yet), read from its store as it runs. */
const readOutbox = (storeFile: string) =>
  !existsSync(storeFile) ? Promise.resolve([]) : Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqliteClient.make({ filename: storeFile, readonly: true, disableWAL: true })
      const rows = yield* sql`SELECT brand_name AS brand, title, created_at,
        (SELECT COUNT(*) FROM delivery_attempts a WHERE a.lead_id = leads.id) AS attempts,
        (SELECT error FROM delivery_attempts a WHERE a.lead_id = leads.id ORDER BY rowid DESC LIMIT 1) AS last_error,
        (SELECT admin_error FROM delivery_attempts a WHERE a.lead_id = leads.id ORDER BY rowid DESC LIMIT 1)
          AS last_admin_error
      FROM leads WHERE outcome IS NULL ORDER BY created_at`
      return yield* Schema.decodeUnknown(Schema.Array(OutboxRow))(rows)
    }).pipe(Effect.scoped, Effect.provide(Reactivity.layer), Effect.orElseSucceed(() => []))
  )

/** The bot's latest log lines (it logs warnings and errors here), both streams, the newest last. */
const BOT_LOG_LINES = 200
const botLog = (world: World): ReadonlyArray<string> => {
  return world.bot.output().all.split("\n").filter((line) => line.trim() !== "").slice(-BOT_LOG_LINES)
}

/** The sandbox could not start: one line for the person who ran it. */
export class SandboxStartError extends Error {}

/** Binds the page's port first, so a busy port is said before any bot starts. */
const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new SandboxStartError(
          error.code === "EADDRINUSE"
            ? `--port ${port} is in use (another sandbox?): choose another, e.g. npm run sandbox -- --port ${port + 1}`
            : `--port ${port}: ${error.message}`
        )
      ))
    server.listen(port, "127.0.0.1", resolve)
  })

export interface Sandbox {
  readonly url: string
  readonly world: World
  readonly stop: () => Promise<void>
}

/** The sandbox: the real bot and the stand-ins, and a page on 127.0.0.1 to use them like Telegram. */
export const startSandbox = async (port = 0, options: { entry?: "source" | "bundle" } = {}): Promise<Sandbox> => {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SandboxStartError(`--port must be a port number (got ${port})`)
  }
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown> = async (_, res) =>
    res.writeHead(503).end()
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
    })
  })
  await listen(server, port)
  const closeServer = () => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  }
  const world = await startWorld({
    env: { CRM_TIMEOUT_MS: "5000", ADMIN_TIMEZONE: "Europe/Moscow" },
    entry: options.entry ?? "bundle"
  })
    .catch(async (error) => {
      await closeServer()
      throw error
    })
  const { telegram, crm } = world
  let crmMode = "ok"
  let adminFault = "ok"
  // The taps made from the page, so each chat can show the pop-up its latest tap got (a repeat tap's, say).
  const taps = { person: [] as Array<string>, admin: [] as Array<string> }
  const lastPopUp = (queries: ReadonlyArray<string>) => {
    for (const id of [...queries].reverse()) {
      if (!telegram.answeredQueries.has(id)) continue
      const text = telegram.answeredQueries.get(id)
      return text === undefined ? null : { id, text }
    }
    return null
  }

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
        person: telegram.chat(PERSON.id).map(view(telegram)),
        admin: telegram.chat(telegram.adminChatId).map(view(telegram)),
        personBlocked: telegram.blocked.has(PERSON.id),
        forum: telegram.forum,
        topics: [...telegram.topics].filter(([, t]) => !t.deleted).map(([id, t]) => ({ id, name: t.name })),
        crm: crm.requests.map((r) => ({
          path: r.path.replace(/[^/]+$/, "…"),
          body: r.body,
          accepted: crm.accepted.includes(r)
        })),
        crmMode,
        adminFault,
        popUps: { person: lastPopUp(taps.person), admin: lastPopUp(taps.admin) },
        outbox: await readOutbox(world.storeFile),
        botLog: botLog(world)
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
      case "/api/manager/send": {
        if (text.trim() === "") return json(400, { error: "empty message" })
        // In a person's topic (a forum), or a reply to one of the bot's messages about them: it reaches them.
        const thread = Number.isInteger(body.thread) ? Number(body.thread) : undefined
        const replyTo = Number.isInteger(body.replyTo) ? Number(body.replyTo) : undefined
        if (thread !== undefined && telegram.topics.has(thread)) telegram.sendInTopic(MANAGER, text, thread)
        else telegram.sendText(MANAGER, text, telegram.adminChatId, replyTo)
        return json(200, { ok: true })
      }
      case "/api/admin-forum":
        // The bot learns the chat's kind at start-up, as in production: it is restarted on the same store.
        telegram.forum = body.forum === true
        await world.restart()
        return json(200, { ok: true })
      case "/api/person/block":
        if (body.blocked === true) telegram.blocked.add(PERSON.id)
        else telegram.blocked.delete(PERSON.id)
        return json(200, { ok: true })
      case "/api/tap": {
        const inAdmin = body.chat === "admin"
        const messageId = Number(body.messageId)
        const data = String(body.data ?? "")
        if (inAdmin) taps.admin.push(telegram.tapData(MANAGER, messageId, data, telegram.adminChatId))
        else taps.person.push(telegram.tapData(PERSON, messageId, data))
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
        const { fault: next, gone } = fault()
        telegram.adminFault = next
        telegram.adminChatGone = gone
        adminFault = String(body.mode)
        return json(200, { ok: true })
      }
      default:
        return json(404, { error: "not found" })
    }
  }

  handle = api
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    world,
    stop: async () => {
      await closeServer()
      await world.stop()
    }
  }
}
