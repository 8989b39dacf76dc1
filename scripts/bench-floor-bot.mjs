/**
 * The floor, for `npm run bench -- --floor`: the least a bot can do for the benchmark's funnel on this machine,
 * to tell what the machine costs from what the lead bot costs. grammY and undici, as the bot uses them
 * (scripts/bare-grammy.mjs); no store, no inbox, no Effect, no fallback, no retries, no locales: a menu for /start,
 * and for a tap the answer and the confirmation together, then the CRM POST. Not a bot to run: it loses leads on any
 * failure.
 */
import { makeBot, postJson, run } from "./bare-grammy.mjs"

const bot = makeBot()
const service = { text: "📈 Привлечь клиентов", callback_data: "lead:agency:clients" }
bot.command("start", (ctx) => ctx.reply("Меню", { reply_markup: { inline_keyboard: [[service]] } }))
bot.on("callback_query:data", async (ctx) => {
  await Promise.all([ctx.answerCallbackQuery(), ctx.reply("✅ Принято: Привлечь клиентов")])
  const { id, first_name, username } = ctx.from
  await postJson(process.env.CRM_WEBHOOK_URL_AGENCY, {
    lead_name: "Новый лид с Telegram: MONSTER AGENCY",
    contact: { name: first_name, username: username ? `@${username}` : "", telegram_id: id },
    source: "Telegram Bot",
    request_details: "Привлечь клиентов",
    lead_id: ctx.callbackQuery.id
  })
})
await run(bot)
