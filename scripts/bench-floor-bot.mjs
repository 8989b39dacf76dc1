/**
 * The floor, for `npm run bench -- --floor`: the least a bot can do for the benchmark's funnel on this machine,
 * to tell what the machine costs from what the lead bot costs. grammY and undici, as the bot uses them; no
 * store, no inbox, no Effect, no fallback, no retries, no locales: a menu for /start, and for a tap the answer
 * and the confirmation together, then the CRM POST. Not a bot to run: it loses leads on any failure.
 * With WEBHOOK_URL it serves grammY's own webhook handler (which answers after handling) on PORT instead of polling.
 */
import { createServer } from "node:http"

import { Bot, webhookCallback } from "grammy"
import { Agent } from "undici"

const agent = new Agent({ connections: 32 })
const post = async (url, body) => {
  const { origin, pathname } = new URL(url)
  const response = await agent.request({
    origin,
    path: pathname,
    method: "POST",
    headers: { "content-type": "application/json" },
    body
  })
  await response.body.text()
}
/** grammY's requests on the same undici pool the bot uses (its `connection` header is undici's business). */
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

const env = process.env
const bot = new Bot(env.BOT_TOKEN, { client: { apiRoot: env.TELEGRAM_API_ROOT, fetch: fetchViaUndici } })
const service = { text: "📈 Привлечь клиентов", callback_data: "lead:agency:clients" }
bot.command("start", (ctx) => ctx.reply("Меню", { reply_markup: { inline_keyboard: [[service]] } }))
bot.on("callback_query:data", async (ctx) => {
  await Promise.all([ctx.answerCallbackQuery(), ctx.reply("✅ Принято: Привлечь клиентов")])
  const { id, first_name, username } = ctx.from
  await post(
    env.CRM_WEBHOOK_URL_AGENCY,
    JSON.stringify({
      lead_name: "Новый лид с Telegram: MONSTER AGENCY",
      contact: { name: first_name, username: username ? `@${username}` : "", telegram_id: id },
      source: "Telegram Bot",
      request_details: "Привлечь клиентов",
      lead_id: ctx.callbackQuery.id
    })
  )
})
bot.botInfo = await bot.api.getMe()
process.on("SIGTERM", () => process.exit(0))
if (env.WEBHOOK_URL) {
  const handle = webhookCallback(bot, "http", { secretToken: env.WEBHOOK_SECRET })
  createServer(handle).listen(Number(env.PORT), env.HOST)
  await bot.api.setWebhook(env.WEBHOOK_URL, { secret_token: env.WEBHOOK_SECRET })
} else {
  await poll()
}

async function poll() {
  let offset = 0
  for (;;) {
    const updates = await bot.api.getUpdates({ offset, timeout: 25 })
    for (const update of updates) {
      offset = update.update_id + 1
      bot.handleUpdate(update).catch((error) => console.error(`ERROR ${error.message}`))
    }
  }
}
