import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

import { startWorld, type World } from "../sim/world.js"
import { apiRoutes, type Switches } from "./api.js"
import { SandboxCrms } from "./crms.js"
import { DEFAULT_ADMIN_CHAT, readSettings, type SandboxSettings, SandboxStartError } from "./settings.js"
import { readStore } from "./store.js"
import { stateView } from "./view.js"

export { SandboxStartError } from "./settings.js"
export { MANAGER, PERSON } from "./view.js"

const page = readFileSync(new URL("./index.html", import.meta.url), "utf8")

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

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
  /** The three CRMs' stand-ins, and which each brand is on. */
  readonly crms: SandboxCrms
  readonly settings: SandboxSettings
  readonly stop: () => Promise<void>
}

export interface SandboxOptions {
  readonly entry?: "source" | "bundle"
  /** `--env FILE`: the bot's settings as production has them (those that point it at the stand-ins aside). */
  readonly envFile?: string
  /** `--locales FILE`: the bot's locales.json (brands, texts, campaigns, hours, ask_phone, consent). */
  readonly localesFile?: string
}

/** The sandbox: the real bot and the stand-ins, and a page on 127.0.0.1 to use them like Telegram. */
export const startSandbox = async (port = 0, options: SandboxOptions = {}): Promise<Sandbox> => {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SandboxStartError(`--port must be a port number (got ${port})`)
  }
  // The files first: a wrong one is said before a port is taken or a bot started.
  const settings = readSettings({ env: options.envFile, locales: options.localesFile })
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
    env: {
      CRM_TIMEOUT_MS: "5000",
      ADMIN_TIMEZONE: "Europe/Moscow",
      ...settings.env,
      ...(settings.localesFile === undefined ? {} : { LOCALES_PATH: settings.localesFile })
    },
    entry: options.entry ?? "bundle",
    adminChatId: settings.adminChatId ?? DEFAULT_ADMIN_CHAT,
    managersChats: settings.managersChats.map((chat) => chat.id),
    brands: settings.brands.map((brand) => brand.key)
  }).catch(async (error) => {
    await closeServer()
    throw error
  })
  // amoCRM's and Bitrix24's stand-ins beside the world's webhook one: a brand is switched to either on the page.
  const crms = await SandboxCrms.start(world.crm, settings.brands.map((brand) => brand.key)).catch(async (error) => {
    await world.stop()
    await closeServer()
    throw error
  })
  const switches: Switches = { crmMode: "ok", adminFault: "ok", taps: { person: [], admin: [] }, restarts: [] }
  const post = apiRoutes(world, crms, settings, switches)

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
      return json(200, stateView(world, crms, settings, switches, await readStore(world.storeFile)))
    }
    const photo = /^\/api\/photo\/(-?\d+)\/(\d+)$/.exec(path)
    if (req.method === "GET" && photo) {
      const message = world.telegram.chat(Number(photo[1])).find((m) => m.message_id === Number(photo[2]))
      if (message?.photo === undefined) return json(404, { error: "no photo of the bot there" })
      res.writeHead(200, { "content-type": "image/png", "cache-control": "max-age=3600" })
      return res.end(message.photo)
    }
    if (req.method !== "POST") return json(404, { error: `not found: ${req.method} ${path}` })
    const reply = await post(path, await readBody(req))
    return reply === undefined ? json(404, { error: `not found: POST ${path}` }) : json(reply.status, reply.body)
  }

  handle = api
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    world,
    crms,
    settings,
    stop: async () => {
      await closeServer()
      // The bot first, then what it talks to.
      await world.stop()
      await crms.close()
    }
  }
}
