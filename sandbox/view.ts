import type { SimMessage, SimUser, TelegramSim } from "../sim/TelegramSim.js"
import type { World } from "../sim/world.js"
import type { Switches } from "./api.js"
import type { SandboxCrms } from "./crms.js"
import type { SandboxSettings } from "./settings.js"
import type { StoreView } from "./store.js"

/** The person you play in the sandbox, and the manager who writes and presses buttons in the managers' chats. */
export const PERSON: SimUser = { id: 7001, first_name: "Вы", username: "sandbox_person" }
export const MANAGER: SimUser = { id: 7002, first_name: "Менеджер", username: "sandbox_manager" }

/** One message as the page draws it. */
export const messageView = (telegram: TelegramSim, store: StoreView) => (m: SimMessage) => ({
  id: m.message_id,
  fromBot: m.fromBot,
  text: m.text,
  // The bot's messages are Telegram HTML (the stand-in checked it); the page renders its tags as Telegram does.
  html: m.fromBot ? m.html : null,
  media: m.media ?? null,
  // A picture the bot uploaded (the /stats chart), served by the page's server.
  photo: m.photo === undefined ? null : `/api/photo/${m.chatId}/${m.message_id}`,
  edited: m.edits.length,
  replyTo: m.replyTo ?? null,
  topic: m.thread === undefined ? null : telegram.topics.get(m.thread)?.name ?? null,
  // The bot's reaction on a manager's message (👍 once the person has its copy).
  reaction: telegram.reactions.get(`${m.chatId}:${m.message_id}`)?.join("") ?? null,
  // Only a message the bot recorded as about a person: a reply to it reaches them (not /stats, not a topic's notice).
  aboutPerson: m.fromBot && store.aboutPerson.has(`${m.chatId}:${m.message_id}`),
  buttons: m.keyboard.map((row) =>
    row.map((b) => (b.url !== undefined ? { text: b.text, url: b.url } : { text: b.text, data: b.callback_data ?? "" }))
  )
})

/** The bot's latest log lines (it logs warnings and errors here), every run of it, both streams, the newest last. */
const BOT_LOG_LINES = 200
const botLog = (world: World): ReadonlyArray<string> =>
  world.log().split("\n").filter((line) => line.trim() !== "").slice(-BOT_LOG_LINES)

/** How long a tap's pop-up shows, as Telegram's clients show one (a toast, gone after a few seconds). */
export const POP_UP_MS = 4000

/** When the bot answered a tap (the stand-in's record of the call). */
const answeredAt = (telegram: TelegramSim, queryId: string) => {
  for (let i = telegram.calls.length - 1; i >= 0; i--) {
    const call = telegram.calls[i]!
    if (call.method === "answerCallbackQuery" && call.body.callback_query_id === queryId) return call.at
  }
  return 0
}

/** The pop-up of the latest tap the bot has answered, among `taps`, while it shows (none: no pop-up, or it is gone). */
const popUpNow = (telegram: TelegramSim, taps: ReadonlyArray<string>, now: number) => {
  for (const id of [...taps].reverse()) {
    if (!telegram.answeredQueries.has(id)) continue
    const text = telegram.answeredQueries.get(id)
    return text === undefined || now - answeredAt(telegram, id) > POP_UP_MS ? null : { id, text }
  }
  return null
}

/** `GET /api/state`: everything the page shows, from the stand-ins, the bot's store and its log. */
export const stateView = (
  world: World,
  crms: SandboxCrms,
  settings: SandboxSettings,
  switches: Switches,
  store: StoreView
) => {
  const { crm, telegram } = world
  const view = messageView(telegram, store)
  const chats = [
    { id: telegram.adminChatId, variables: ["ADMIN_CHAT_ID"] },
    ...settings.managersChats
  ].map((chat) => ({ ...chat, messages: telegram.chat(chat.id).map(view) }))
  return {
    bot: { stopped: world.stopped() ?? null, restarts: switches.restarts },
    person: telegram.chat(PERSON.id).map(view),
    // The reply keyboard under the person's input field (the phone button), as their client shows it.
    personKeyboard:
      telegram.replyKeyboard(PERSON.id)?.map((row) =>
        row.map((b) => ({ text: b.text, contact: b.request_contact === true }))
      ) ?? null,
    admin: chats[0]!.messages,
    chats,
    personBlocked: telegram.blocked.has(PERSON.id),
    forum: telegram.forum,
    topicRight: telegram.canManageTopics,
    topics: [...telegram.topics].filter(([, t]) => !t.deleted).map(([id, t]) => ({ id, name: t.name })),
    crm: crm.requests.map((r) => ({
      path: r.path.replace(/[^/]+$/, "…"),
      body: r.body,
      accepted: crm.accepted.includes(r)
    })),
    // Each brand's CRM now (webhook, amocrm, bitrix24), and what amoCRM's and Bitrix24's stand-ins hold.
    crmKinds: Object.fromEntries(crms.kinds),
    nativeCrm: crms.view(),
    crmMode: switches.crmMode,
    adminFault: switches.adminFault,
    popUps: {
      person: popUpNow(telegram, switches.taps.person, Date.now()),
      admin: popUpNow(telegram, switches.taps.admin, Date.now())
    },
    outbox: store.outbox,
    botLog: botLog(world),
    settings: {
      env: settings.env,
      replaced: settings.replaced,
      locales: settings.localesFile ?? null,
      brands: settings.brands,
      campaigns: settings.campaigns
    }
  }
}
