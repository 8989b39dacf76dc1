import { Either, type ParseResult, Schema } from "effect"

import { CRM_MODE_NAMES, CRM_MODES, type CrmModeName } from "../sim/CrmSim.js"
import type { AdminChatGone, AdminFault, SimMessage } from "../sim/TelegramSim.js"
import { BotDidNotStart, type World } from "../sim/world.js"
import { formatParseError } from "../src/profiles/Profiles.js"
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

/** The switches the page sets and shows, and the taps it made (each chat shows its latest tap's pop-up). */
export interface Switches {
  crmMode: CrmModeName
  adminFault: keyof typeof ADMIN_FAULTS
  readonly taps: { readonly person: Array<string>; readonly admin: Array<string> }
}

const oneOf = <const K extends string>(what: string, keys: ReadonlyArray<K>) =>
  Schema.Unknown.pipe(
    Schema.filter((u): u is K => keys.includes(u as K), { message: () => `expected ${what}: ${keys.join(", ")}` })
  )
const Text = (limit: number) =>
  Schema.String.pipe(Schema.filter((t) => t.length <= limit || `at most ${limit} characters`))
const Filled = Text(4096).pipe(Schema.filter((t) => t.trim() !== "" || "expected a non-empty text"))
const MessageId = Schema.Number.pipe(Schema.int({ message: () => "expected a message id (a whole number)" }))
const ChatId = Schema.Number.pipe(Schema.int({ message: () => "expected a chat id (a whole number)" }))
const Where = { replyTo: Schema.optional(MessageId), thread: Schema.optional(MessageId), chat: Schema.optional(ChatId) }

const Bodies = {
  "/api/person/send": Schema.Struct({ text: Filled }),
  "/api/person/send-photo": Schema.Struct({ text: Schema.optional(Text(1024)) }),
  "/api/person/contact": Schema.Struct({
    phone: Schema.optional(Schema.String.pipe(Schema.pattern(/^\+?\d{10,15}$/)))
  }),
  "/api/person/block": Schema.Struct({ blocked: Schema.Boolean }),
  "/api/manager/send": Schema.Struct({ text: Filled, ...Where }),
  "/api/manager/send-photo": Schema.Struct({ text: Schema.optional(Text(1024)), ...Where }),
  "/api/admin-forum": Schema.Struct({ forum: Schema.Boolean, topicRight: Schema.optional(Schema.Boolean) }),
  "/api/tap": Schema.Struct({
    chat: Schema.Union(Schema.Literal("person", "admin"), ChatId),
    messageId: MessageId,
    data: Schema.String
  }),
  "/api/crm": Schema.Struct({ mode: oneOf("a CRM mode", CRM_MODE_NAMES) }),
  "/api/admin-fault": Schema.Struct({
    mode: oneOf("an admin chat mode", ["ok", "429", "500", "403"] as const)
  })
}
type Path = keyof typeof Bodies
type Body<P extends Path> = (typeof Bodies)[P]["Type"]

/** The body, decoded for its route: not JSON, not an object, a missing or unknown field are each a reason. */
const decode = <P extends Path>(path: P, raw: string): Either.Either<Body<P>, string> => {
  let json: unknown
  try {
    json = raw.trim() === "" ? {} : JSON.parse(raw)
  } catch (error) {
    return Either.left(`the body is not JSON: ${(error as Error).message}`)
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return Either.left("expected a JSON object")
  const decoded = Schema.decodeUnknownEither(Bodies[path] as Schema.Schema<Body<P>>, { onExcessProperty: "error" })(
    json
  )
  return Either.mapLeft(decoded, (error: ParseResult.ParseError) => formatParseError(error))
}

/** The API's POST routes over the stand-ins, each refusing what it cannot do with 400 and the reason. */
export const apiRoutes = (world: World, settings: SandboxSettings, switches: Switches) => {
  const { crm, telegram } = world
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
      try {
        await world.restart()
        return ok()
      } catch (error) {
        // A forum where the bot may not make topics: it refuses to start, in its own line (shown on the page too).
        if (error instanceof BotDidNotStart) return { status: 409, body: { error: error.message } }
        throw error
      }
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
      await crm.setMode(CRM_MODES[mode])
      switches.crmMode = mode
      return ok()
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
