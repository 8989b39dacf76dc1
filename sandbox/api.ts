import { Either } from "effect"

import type { CrmModeName } from "../sim/CrmSim.js"
import type { AdminChatGone, AdminFault, SimMessage } from "../sim/TelegramSim.js"
import { BotDidNotStart, type World } from "../sim/world.js"
import { type Body, decode, type Path } from "./bodies.js"
import type { CrmKind, SandboxCrms } from "./crms.js"
import type { SandboxSettings } from "./settings.js"
import { MANAGER, PERSON } from "./view.js"

/** An answer of the API: its status and JSON body. */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

const ok = (extra: Record<string, unknown> = {}): Reply => ({ status: 200, body: { ok: true, ...extra } })
/** A request the sandbox cannot carry out: 400 and the reason, never a silent `{"ok": true}`. */
const refused = (error: string): Reply => ({ status: 400, body: { error } })

export const ADMIN_FAULTS = {
  ok: () => ({ fault: { kind: "ok" } }),
  "429": () => ({ fault: { kind: "429", retryAfter: 3, times: 1 } }),
  "500": () => ({ fault: { kind: "500", times: Number.MAX_SAFE_INTEGER } }),
  "403": () => ({ fault: { kind: "ok" }, gone: "kicked" })
} as const satisfies Record<string, () => { fault: AdminFault; gone?: AdminChatGone }>

const KIND_NAMES: Record<CrmKind, string> = { webhook: "its webhook", amocrm: "amoCRM", bitrix24: "Bitrix24" }

/** The switches the page sets and shows, and the taps it made (each chat shows its latest tap's pop-up). */
export interface Switches {
  crmMode: CrmModeName
  adminFault: keyof typeof ADMIN_FAULTS
  readonly taps: { readonly person: Array<string>; readonly admin: Array<string> }
  /** Each restart of the bot a switch made, and why: the page says the bot restarted (its log keeps the lines). */
  readonly restarts: Array<{ readonly at: number; readonly why: string }>
}

/** The API's POST routes over the stand-ins, each refusing what it cannot do with 400 and the reason. */
export const apiRoutes = (world: World, crms: SandboxCrms, settings: SandboxSettings, switches: Switches) => {
  const { telegram } = world
  const managersChats = [telegram.adminChatId, ...settings.managersChats.map((c) => c.id)]

  /** Where a manager writes: a managers' chat, a message of it replied to, a topic of the admin chat (a forum). */
  const where = (body: { replyTo?: number; thread?: number; chat?: number }) => {
    const chatId = body.chat ?? telegram.adminChatId
    if (!managersChats.includes(chatId)) {
      return `chat: no managers' chat ${chatId} (they are ${managersChats.join(", ")})`
    }
    if (body.replyTo !== undefined && !telegram.chat(chatId).some((m) => m.message_id === body.replyTo)) {
      return `replyTo: no message #${body.replyTo} in the managers' chat ${chatId}`
    }
    if (body.thread !== undefined) {
      const live = [...telegram.topics].filter(([, t]) => !t.deleted).map(([id, t]) => `${id} «${t.name}»`)
      if (chatId !== telegram.adminChatId || !telegram.forum) {
        return `thread: the managers' chat ${chatId} is not a forum (no topics)`
      }
      const topic = telegram.topics.get(body.thread)
      if (topic === undefined || topic.deleted) {
        return `thread: no topic ${body.thread} in the managers' chat (its topics: ${live.join(", ") || "none"})`
      }
    }
    return { chatId, replyTo: body.replyTo, thread: body.thread }
  }

  /** The bot's message a tap names, and the button: a tap can only press a button the message has. */
  const tapTarget = (body: Body<"/api/tap">): string | { chatId: number; message: SimMessage } => {
    const chatId = body.chat === "person" ? PERSON.id : body.chat === "admin" ? telegram.adminChatId : body.chat
    if (body.chat !== "person" && !managersChats.includes(chatId)) {
      return `chat: "person", "admin" or a managers' chat (${managersChats.join(", ")}), not ${chatId}`
    }
    const message = telegram.chat(chatId).find((m) => m.fromBot && m.message_id === body.messageId)
    if (message === undefined) return `messageId: no message #${body.messageId} of the bot in that chat`
    if (!message.keyboard.flat().some((b) => b.callback_data === body.data)) {
      return `data: message #${body.messageId} has no button with the data "${body.data}"`
    }
    return { chatId, message }
  }

  /** The bot restarted on the same store (to read what it reads only at start); 409 with its line if it refuses. */
  const restartNow = async (why: string, envChanges?: Record<string, string | undefined>): Promise<Reply> => {
    try {
      await world.restart(envChanges)
      return ok()
    } catch (error) {
      // E.g. a forum where the bot may not make topics: it refuses to start, in its own line (shown on the page too).
      if (error instanceof BotDidNotStart) return { status: 409, body: { error: error.message } }
      throw error
    } finally {
      switches.restarts.push({ at: Date.now(), why })
    }
  }
  // One restart at a time: two at once would each start a bot, both polling.
  let restarting: Promise<unknown> = Promise.resolve()
  const restart = (why: string, envChanges?: Record<string, string | undefined>): Promise<Reply> => {
    const next = restarting.then(() => restartNow(why, envChanges))
    restarting = next.catch(() => undefined)
    return next
  }

  const routes: { [P in Path]: (body: Body<P>) => Reply | Promise<Reply> } = {
    "/api/person/send": ({ text }) => (telegram.sendText(PERSON, text), ok()),
    "/api/person/send-photo": ({ text }) => (telegram.sendMedia(PERSON, "photo", text || undefined), ok()),
    // Their own contact, as the phone button shares it.
    "/api/person/contact": ({ phone }) => (telegram.sendContact(PERSON, phone ?? "+79001234567"), ok()),
    "/api/person/block": ({ blocked }) => {
      if (blocked) telegram.blocked.add(PERSON.id)
      else telegram.blocked.delete(PERSON.id)
      return ok()
    },
    "/api/manager/send": (body) => {
      const at = where(body)
      if (typeof at === "string") return refused(at)
      // In a person's topic (a forum), or a reply to one of the bot's messages about them: it reaches them.
      if (at.thread !== undefined && at.replyTo === undefined) telegram.sendInTopic(MANAGER, body.text, at.thread)
      else telegram.sendText(MANAGER, body.text, at.chatId, at.replyTo)
      return ok()
    },
    "/api/manager/send-photo": (body) => {
      const at = where(body)
      if (typeof at === "string") return refused(at)
      telegram.sendMedia(MANAGER, "photo", body.text || undefined, at.chatId, at.replyTo, at.thread)
      return ok()
    },
    "/api/admin-forum": async ({ forum, topicRight }) => {
      // The bot learns the chat's kind at start-up, as in production: it is restarted on the same store.
      telegram.forum = forum
      telegram.canManageTopics = topicRight ?? true
      return restart(forum ? `the managers' chat a forum${topicRight === false ? ", no topic right" : ""}` : "a group")
    },
    "/api/tap": (body) => {
      const target = tapTarget(body)
      if (typeof target === "string") return refused(target)
      const user = body.chat === "person" ? PERSON : MANAGER
      const id = telegram.tapData(user, target.message.message_id, body.data, target.chatId)
      switches.taps[body.chat === "person" ? "person" : "admin"].push(id)
      return ok({ queryId: id })
    },
    "/api/crm": async ({ mode }) => {
      await crms.setMode(mode)
      switches.crmMode = mode
      return ok()
    },
    // The bot reads a brand's CRM at start only: it is restarted with the brand's variables swapped.
    "/api/crm-kind": ({ brand, kind }) => {
      const brands = settings.brands.map((b) => b.key)
      if (!brands.includes(brand)) return refused(`brand: no brand "${brand}" (they are ${brands.join(", ")})`)
      if (crms.kinds.get(brand) === kind) return ok()
      crms.kinds.set(brand, kind)
      return restart(`${brand} on ${KIND_NAMES[kind]}`, crms.envFor(brand, kind))
    },
    "/api/admin-fault": ({ mode }) => {
      const { fault, gone } = ADMIN_FAULTS[mode]() as { fault: AdminFault; gone?: AdminChatGone }
      telegram.adminFault = fault
      telegram.adminChatGone = gone
      switches.adminFault = mode
      return ok()
    }
  }

  return async (path: string, raw: string): Promise<Reply | undefined> => {
    if (!Object.hasOwn(routes, path)) return undefined
    const body = decode(path as Path, raw)
    if (Either.isLeft(body)) return refused(body.left)
    return (routes[path as Path] as (body: unknown) => Reply | Promise<Reply>)(body.right)
  }
}
