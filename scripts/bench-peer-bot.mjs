/**
 * The peer, for `npm run bench`: the seed's own design (../shared/seeds: the Python bot v2.1, aiogram and aiohttp)
 * ported straight to grammY, on the same intake and undici pool as the floor (scripts/bare-grammy.mjs). A tap is
 * answered, its lead POSTed to the brand's CRM webhook (10 s timeout, CRM_TIMEOUT_MS here) and, on any failure, sent
 * to the admin chat as the seed's HTML fallback; only then is the person confirmed and asked for the follow-up, which
 * edits the fallback message when there is one. State in memory, nothing durable: it loses a lead on a crash.
 * Two things added for the benchmark to tell whose lead is whose: `contact.telegram_id` in the CRM's JSON and a
 * `Telegram ID:` line in the fallback.
 */
import { makeBot, postJson, run } from "./bare-grammy.mjs"

const env = process.env
const CRM_TIMEOUT_MS = Number(env.CRM_TIMEOUT_MS ?? 10_000)
const BRANDS = {
  agency: { name: "MONSTER AGENCY", services: { clients: "📈 Привлечь клиентов" } },
  cg: { name: "MONSTER CG", services: { render: "🎨 3D и рендер" } },
  express: { name: "MONSTER EXPRESS", services: { site: "⚡ Сайт за неделю" } }
}
/** The person's last lead (the seed's FSM state, in memory): what their follow-up edits. */
const followUpOf = new Map()

const sendToCrm = (url, payload) => postJson(url, payload, CRM_TIMEOUT_MS).catch(() => false)

const bot = makeBot()
bot.command("start", async (ctx) => {
  const key = ctx.match in BRANDS ? ctx.match : "agency"
  const brand = BRANDS[key]
  const keyboard = Object.entries(brand.services).map(([id, text]) => [{ text, callback_data: `lead:${key}:${id}` }])
  await ctx.reply(`Добро пожаловать в ${brand.name}! Выберите услугу:`, { reply_markup: { inline_keyboard: keyboard } })
})
bot.on("callback_query:data", async (ctx) => {
  const [, key, id] = ctx.callbackQuery.data.split(":")
  const brand = BRANDS[key]
  const title = brand?.services[id]
  if (title === undefined) return ctx.answerCallbackQuery()
  await ctx.answerCallbackQuery()
  const choice = title.replace(/^\S+\s/, "")
  const { first_name, id: telegramId, last_name, username } = ctx.from
  const contactName = [first_name, last_name].filter(Boolean).join(" ")
  const crmOk = await sendToCrm(env[`CRM_WEBHOOK_URL_${key.toUpperCase()}`], {
    lead_name: `Новый лид с Telegram: ${brand.name}`,
    contact: { name: contactName, username: `@${username}`, telegram_id: telegramId },
    source: "Telegram Bot",
    request_details: choice
  })
  let adminMessageId
  if (!crmOk) {
    const fallback = await ctx.api.sendMessage(
      env.ADMIN_CHAT_ID,
      `⚠️ <b>[FALLBACK - CRM НЕДОСТУПНА]</b> ⚠️\n\n🔥 <b>НОВЫЙ ЛИД: ${brand.name}</b> 🔥\n\n` +
        `❗️ <i>Важно: Этот лид НЕ был создан в AmoCRM автоматически.\nТребуется ручное внесение.</i>\n\n` +
        `<b>--- ДАННЫЕ ДЛЯ CRM ---</b>\n<b>Запрос:</b> ${choice}\n<b>Контакт:</b> @${username}\n` +
        `<b>Имя:</b> ${contactName}\nTelegram ID: ${telegramId}\n<b>--------------------------</b>\n\n` +
        `<b>Задача:</b>\n1. Внести лид в AmoCRM вручную.\n2. Связаться с клиентом в Telegram.`,
      { parse_mode: "HTML" }
    )
    adminMessageId = fallback.message_id
  }
  followUpOf.set(telegramId, { adminMessageId, brand: brand.name, choice })
  await ctx.reply(
    `✅ Принято: ${choice}.\n\n👤 Наш стратег свяжется с вами в Telegram в ближайшее время.\n\n` +
      `💡 Чтобы ускорить процесс, отправьте ссылку на ваш текущий сайт или соцсеть.`
  )
})
bot.on("message:text", async (ctx) => {
  const lead = followUpOf.get(ctx.from.id)
  if (lead === undefined) return
  followUpOf.delete(ctx.from.id)
  const text = `✅ <b>ОБНОВЛЕНО: ССЫЛКА ПОЛУЧЕНА!</b>\n\n${lead.brand}: ${lead.choice}\n\n📎 <b>FOLLOW-UP:</b>\n` +
    `Сообщение: ${ctx.message.text}`
  if (lead.adminMessageId === undefined) await ctx.api.sendMessage(env.ADMIN_CHAT_ID, text, { parse_mode: "HTML" })
  else await ctx.api.editMessageText(env.ADMIN_CHAT_ID, lead.adminMessageId, text, { parse_mode: "HTML" })
})
await run(bot)
