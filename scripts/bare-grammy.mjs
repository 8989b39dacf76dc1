/**
 * What the benchmark's bare bots share (the floor, scripts/bench-floor-bot.mjs, and the peer,
 * scripts/bench-peer-bot.mjs): grammY and undici as the lead bot uses them, one undici pool for both, and the intake
 * (polling, each update handled without waiting, as grammY's runner and aiogram do; or with WEBHOOK_URL grammY's own
 * webhook handler, which answers after handling, on PORT).
 */
import { createServer } from "node:http"

import { Bot, webhookCallback } from "grammy"
import { Agent } from "undici"

const agent = new Agent({ connections: 32 })
const env = process.env

/** POSTs JSON; true on a 2xx. Fails on a connection error, or after `timeoutMs` when given. */
export const postJson = async (url, body, timeoutMs) => {
  const { origin, pathname } = new URL(url)
  const response = await agent.request({
    origin,
    path: pathname,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) })
  })
  await response.body.text()
  return response.statusCode >= 200 && response.statusCode < 300
}

/** grammY's requests on the same undici pool (its `connection` header is undici's business). */
const fetchViaUndici = async (url, init = {}) => {
  const { connection: _, ...headers } = init.headers ?? {}
  const { origin } = new URL(url)
  const response = await agent.request({
    origin,
    path: url.slice(origin.length),
    method: init.method ?? "GET",
    headers,
    body: init.body,
    signal: init.signal
  })
  return { status: response.statusCode, ok: response.statusCode < 300, json: () => response.body.json() }
}

export const makeBot = () =>
  new Bot(env.BOT_TOKEN, { client: { apiRoot: env.TELEGRAM_API_ROOT, fetch: fetchViaUndici } })

/** Starts taking updates: the webhook when WEBHOOK_URL is set, else polling. */
export const run = async (bot) => {
  bot.botInfo = await bot.api.getMe()
  process.on("SIGTERM", () => process.exit(0))
  if (env.WEBHOOK_URL) {
    const handle = webhookCallback(bot, "http", { secretToken: env.WEBHOOK_SECRET })
    createServer(handle).listen(Number(env.PORT), env.HOST)
    await bot.api.setWebhook(env.WEBHOOK_URL, { secret_token: env.WEBHOOK_SECRET })
    return
  }
  let offset = 0
  for (;;) {
    const updates = await bot.api.getUpdates({ offset, timeout: 25 })
    for (const update of updates) {
      offset = update.update_id + 1
      bot.handleUpdate(update).catch((error) => console.error(`ERROR ${error.message}`))
    }
  }
}
