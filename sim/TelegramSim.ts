import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

import busboy from "busboy"

import { parseTelegramHtml } from "../src/telegram/parseTelegramHtml.js"
import { type WebhookAttempt, WebhookPusher } from "./WebhookPusher.js"

/**
 * A local stand-in for the Telegram Bot API on 127.0.0.1, strict where Telegram is strict: HTML entities,
 * 4096/1024 limits, callback_data ≤ 64 bytes, "message is not modified", unknown message on edit.
 * People are simulated by pushing updates; everything the bot sends is kept per chat for inspection.
 */

export interface SimUser {
  readonly id: number
  readonly first_name: string
  readonly last_name?: string
  readonly username?: string
}

export interface InlineButton {
  readonly text: string
  readonly callback_data?: string
  /** A link button (the consent's policy, say): a tap opens it, and the bot hears nothing. */
  readonly url?: string
}

/** A button of a reply keyboard (under the person's input field); the phone button shares their contact. */
export interface ReplyButton {
  readonly text: string
  readonly request_contact?: boolean
}

export interface SimMessage {
  readonly message_id: number
  readonly chatId: number
  readonly fromBot: boolean
  /** The HTML source the bot sent (or the person's text). */
  html: string
  /** What the person sees: tags removed, entities decoded. */
  text: string
  keyboard: ReadonlyArray<ReadonlyArray<InlineButton>>
  readonly replyTo: number | undefined
  /** Earlier versions of `text`, oldest first (smart edits). */
  readonly edits: Array<string>
  readonly media: string | undefined
  readonly copyOf: { readonly chatId: number; readonly messageId: number } | undefined
  /** The forum topic it is in (`message_thread_id`), if any. */
  readonly thread?: number | undefined
  /** The bot's reply_markup when it is not an inline keyboard (a reply keyboard, or its removal), as sent. */
  readonly replyMarkup?: Record<string, unknown> | undefined
  /** A photo the bot uploaded (sendPhoto): its bytes, as sent. */
  readonly photo?: Uint8Array | undefined
  /** When the stand-in received it (performance.now()), for latency measurements. */
  readonly at: number
}

export type AdminFault =
  | { readonly kind: "ok" }
  | { readonly kind: "429"; readonly retryAfter: number; times: number }
  | { readonly kind: "500"; times: number }

/** The admin chat gone for good: the id is wrong, or the bot was removed. Every call on it fails, getChat included. */
export type AdminChatGone = "not found" | "kicked"

export interface ApiCall {
  readonly method: string
  readonly body: Record<string, unknown>
  readonly at: number
}

type ApiResult = { ok: true; result: unknown } | {
  ok: false
  error_code: number
  description: string
  parameters?: object
}

const BOT = { id: 7000001, is_bot: true, first_name: "Lead Bot", username: "lead_test_bot" }
const badRequest = (description: string): ApiResult => ({
  ok: false,
  error_code: 400,
  description: `Bad Request: ${description}`
})

export class TelegramSim {
  readonly calls: Array<ApiCall> = []
  readonly answeredQueries = new Map<string, string | undefined>()
  adminFault: AdminFault = { kind: "ok" }
  adminChatGone: AdminChatGone | undefined = undefined
  /** A call for which this says true is never answered nor carried out (the bot is about to be killed mid-call). */
  hold: ((method: string, body: Record<string, unknown>) => boolean) | undefined = undefined
  private readonly chats = new Map<number, Array<SimMessage>>()
  private readonly nextMessageId = new Map<number, number>()
  private readonly updates: Array<{ update_id: number } & Record<string, unknown>> = []
  /** Every update ever sent, so one can be delivered again (Telegram does, after a crash or a timeout). */
  /** Updates to send once more whatever the offset says (a lost confirmation). */
  private readonly redelivered: Array<{ update_id: number } & Record<string, unknown>> = []
  private readonly sent = new Map<number, { update_id: number } & Record<string, unknown>>()
  private lastUpdateId = 0
  private queryCounter = 0
  private pollWaiters: Array<() => void> = []
  private cutOffPoller: (() => void) | undefined = undefined
  private changeWaiters: Array<() => void> = []
  private readonly listeners: Array<(message: SimMessage) => void> = []
  private readonly managersChats = new Set<number>()

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly adminChatId: number
  ) {}

  static async start(options: { token?: string; adminChatId?: number; port?: number } = {}): Promise<TelegramSim> {
    const server = createServer()
    const sim = new TelegramSim(server, options.token ?? "123456:TEST-token", options.adminChatId ?? -100777)
    server.on("request", (req, res) => void sim.onRequest(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, "127.0.0.1", resolve)
    })
    return sim
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Set by the bot's setWebhook (removed by deleteWebhook): updates are then pushed to it instead of polled. */
  webhook: WebhookPusher | undefined = undefined
  /** When set, setWebhook fails with this description (400), as Telegram does for a URL it will not call. */
  refuseWebhooks: string | undefined = undefined
  /** Every POST to a webhook and its outcome, across restarts of the bot. */
  readonly webhookAttempts: Array<WebhookAttempt> = []

  close(): Promise<void> {
    this.webhook?.stop()
    for (const wake of this.pollWaiters) wake()
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  // ---- people ----------------------------------------------------------------------------------

  /**
   * The person sends text (a command like "/start agency" included), in their chat or another (the admin chat,
   * as a manager), optionally as a reply to a message of that chat (Telegram then includes the replied-to message).
   */
  sendText(user: SimUser, text: string, chatId = user.id, replyToId?: number): SimMessage {
    const entities = commandEntities(text)
    // A reply in a forum topic is in that topic, as Telegram has it.
    const thread = replyToId === undefined
      ? undefined
      : this.chat(chatId).find((m) => m.message_id === replyToId)?.thread
    const message = this.store(chatId, false, text, text, [], replyToId, undefined, undefined, thread)
    this.push({
      message: { ...this.wire(user, message), text, ...(entities ? { entities } : {}), ...this.replyWire(message) }
    })
    return message
  }

  /** The replied-to message as Telegram puts it in an update (without its own reply, as Telegram does). */
  private replyWire(message: SimMessage) {
    if (message.replyTo === undefined) return {}
    const original = this.chat(message.chatId).find((m) => m.message_id === message.replyTo)
    if (original === undefined) return {}
    return {
      reply_to_message: {
        ...this.wire(original.fromBot ? BOT : { id: 0, first_name: "?" }, original),
        ...(original.fromBot ? { from: BOT } : {}),
        text: original.text
      }
    }
  }

  /** The person shares a contact (theirs, or with `ownerId` someone else's), as the phone button does. */
  sendContact(user: SimUser, phoneNumber: string, ownerId: number | undefined = user.id): SimMessage {
    const message = this.store(user.id, false, phoneNumber, phoneNumber, [], undefined, "contact", undefined)
    this.push({
      message: {
        ...this.wire(user, message),
        contact: {
          phone_number: phoneNumber,
          first_name: user.first_name,
          ...(ownerId === undefined ? {} : { user_id: ownerId })
        }
      }
    })
    return message
  }

  /** Another managers' chat (a group the bot is an administrator of), besides the admin chat. */
  addManagersChat(chatId: number): void {
    this.managersChats.add(chatId)
  }

  /**
   * The person sends a photo, document, video or voice note, with an optional caption (in their chat, or as a
   * manager in the admin chat, optionally replying to a message there).
   */
  sendMedia(
    user: SimUser,
    kind: "photo" | "document" | "video" | "voice",
    caption?: string,
    chatId = user.id,
    replyToId?: number,
    threadId?: number
  ): SimMessage {
    // In a topic: the one named, or that of the message it replies to (as sendText has it).
    const thread = threadId ?? (replyToId === undefined
      ? undefined
      : this.chat(chatId).find((m) => m.message_id === replyToId)?.thread)
    const message = this.store(chatId, false, caption ?? "", caption ?? "", [], replyToId, kind, undefined, thread)
    const file = { file_id: `file-${message.message_id}`, file_unique_id: `u${message.message_id}` }
    const media = kind === "photo"
      ? [{ ...file, width: 10, height: 10 }]
      : kind === "voice"
      ? { ...file, duration: 1 }
      : kind === "video"
      ? { ...file, width: 10, height: 10, duration: 1 }
      : file
    this.push({
      message: {
        ...this.wire(user, message),
        [kind]: media,
        ...(caption ? { caption } : {}),
        ...(replyToId === undefined && threadId !== undefined ? this.topicWire(threadId) : this.replyWire(message))
      }
    })
    return message
  }

  /** A message written in a topic without a reply: Telegram names the topic's service message as its reply. */
  private topicWire(threadId: number) {
    return {
      reply_to_message: {
        message_id: threadId,
        date: now(),
        chat: chatOf(this.adminChatId),
        forum_topic_created: { name: "topic" }
      }
    }
  }

  /**
   * The admin chat is a forum supergroup (topics): getChat says `is_forum`; createForumTopic makes a topic (its id is
   * the id of its service message); a message sent with a topic's `message_thread_id` goes into it.
   */
  forum = false
  /** Whether the bot, an administrator of the admin chat, may manage its topics. */
  canManageTopics = true
  /** The forum's topics, by thread id: their names, and whether a manager deleted them. */
  readonly topics = new Map<number, { name: string; deleted: boolean }>()

  /** A manager deletes a topic: its messages go with it, and a send into it answers "message thread not found". */
  deleteTopic(threadId: number): void {
    const topic = this.topics.get(threadId)
    if (!topic) throw new Error(`no topic ${threadId}`)
    topic.deleted = true
    const admin = this.chats.get(this.adminChatId) ?? []
    this.chats.set(this.adminChatId, admin.filter((m) => m.thread !== threadId))
  }

  /** A manager writes in a topic, not replying to anything (Telegram then names the topic's service message). */
  sendInTopic(user: SimUser, text: string, threadId: number): SimMessage {
    const message = this.store(this.adminChatId, false, text, text, [], undefined, undefined, undefined, threadId)
    this.push({
      message: {
        ...this.wire(user, message),
        text,
        ...(commandEntities(text) ? { entities: commandEntities(text) } : {}),
        message_thread_id: threadId,
        is_topic_message: true,
        ...this.topicWire(threadId)
      }
    })
    return message
  }

  /**
   * The reply keyboard the person's client shows under their input field now: the bot's latest one in the chat,
   * until the bot removes it, or, a one-time keyboard, until one of its buttons was used.
   */
  replyKeyboard(chatId: number): ReadonlyArray<ReadonlyArray<ReplyButton>> | undefined {
    const messages = this.chat(chatId)
    let at = messages.length - 1
    while (at >= 0 && !(messages[at]!.fromBot && messages[at]!.replyMarkup !== undefined)) at--
    const markup = messages[at]?.replyMarkup as
      | { keyboard?: Array<Array<ReplyButton>>; one_time_keyboard?: boolean }
      | undefined
    if (markup?.keyboard === undefined) return undefined
    const texts = new Set(markup.keyboard.flat().map((b) => b.text))
    const used = messages.slice(at + 1).some((m) => !m.fromBot && (m.media === "contact" || texts.has(m.text)))
    return markup.one_time_keyboard === true && used ? undefined : markup.keyboard
  }

  /**
   * The person presses a button of the reply keyboard they see: the phone button shares their contact (`phone`),
   * any other sends its text, as Telegram's clients do.
   */
  pressReplyButton(user: SimUser, buttonText: string, phone = "+79001234567"): SimMessage {
    const button = this.replyKeyboard(user.id)?.flat().find((b) => b.text === buttonText)
    if (!button) throw new Error(`no reply button "${buttonText}" in chat ${user.id}`)
    return button.request_contact === true ? this.sendContact(user, phone) : this.sendText(user, buttonText)
  }

  /** People who blocked the bot: every send to their chat answers 403, as Telegram does. */
  readonly blocked = new Set<number>()
  /** The reactions the bot set, by `<chat>:<message id>`. */
  readonly reactions = new Map<string, ReadonlyArray<string>>()

  /** The person taps a button, found by its text on the bot's latest message in their chat that has it. */
  tap(user: SimUser, buttonText: string, chatId = user.id): string {
    const message = [...this.chat(chatId)].reverse().find((m) =>
      m.fromBot && m.keyboard.flat().some((b) => b.text === buttonText)
    )
    if (!message) throw new Error(`no button "${buttonText}" in chat ${chatId}`)
    const data = message.keyboard.flat().find((b) => b.text === buttonText)!.callback_data!
    return this.tapData(user, message.message_id, data, chatId)
  }

  /** The person taps a button with the given data (stale buttons from old menus included). */
  tapData(user: SimUser, messageId: number, data: string, chatId = user.id): string {
    const id = `q${++this.queryCounter}`
    const message = this.chat(chatId).find((m) => m.message_id === messageId)
    this.push({
      callback_query: {
        id,
        from: { ...user, is_bot: false },
        chat_instance: `ci${user.id}`,
        data,
        message: { message_id: messageId, date: now(), chat: chatOf(chatId), text: message?.text ?? "" }
      }
    })
    return id
  }

  // ---- observation -----------------------------------------------------------------------------

  /** Calls `listener` for every message the bot sends (cheap with many people, unlike one waitFor each). */
  onBotMessage(listener: (message: SimMessage) => void): void {
    this.listeners.push(listener)
  }

  chat(chatId: number): ReadonlyArray<SimMessage> {
    return this.chats.get(chatId) ?? []
  }

  botMessages(chatId: number): ReadonlyArray<SimMessage> {
    return this.chat(chatId).filter((m) => m.fromBot)
  }

  get admin(): ReadonlyArray<SimMessage> {
    return this.botMessages(this.adminChatId)
  }

  /** Resolves once `check` returns a value (re-checked on every change), or rejects after `timeoutMs`. */
  async waitFor<A>(what: string, check: () => A | undefined | false, timeoutMs = 5000): Promise<A> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined && value !== false) return value
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250))
        this.changeWaiters.push(() => (clearTimeout(timer), resolve()))
      })
    }
  }

  // ---- the Bot API -----------------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse) {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? "")
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    const raw = bytes.toString("utf8")
    let body: Record<string, unknown> = {}
    const contentType = req.headers["content-type"] ?? ""
    try {
      body = contentType.startsWith("multipart/form-data")
        ? await multipartBody(bytes, contentType)
        : raw === ""
        ? {}
        : JSON.parse(raw)
    } catch {
      return send(
        res,
        400,
        badRequest(contentType.startsWith("multipart/") ? "invalid multipart body" : "invalid JSON")
      )
    }
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: "Not Found" })
    if (match[1] !== this.token) return send(res, 401, { ok: false, error_code: 401, description: "Unauthorized" })
    const method = match[2]!
    this.calls.push({ method, body, at: Date.now() })
    if (this.hold?.(method, body)) return this.changed()
    const result = method === "getUpdates" ? await this.getUpdates(body, req) : this.call(method, body)
    send(res, result.ok ? 200 : result.error_code, result)
    this.changed()
  }

  private call(method: string, body: Record<string, unknown>): ApiResult {
    const chatId = Number(body.chat_id)
    if (chatId === this.adminChatId && this.adminChatGone !== undefined) {
      return this.adminChatGone === "not found"
        ? badRequest("chat not found")
        : { ok: false, error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" }
    }
    const fault = chatId === this.adminChatId && !method.startsWith("getChat") ? this.takeAdminFault() : undefined
    if (fault) return fault
    if (this.blocked.has(chatId) && method !== "getChat") {
      return { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" }
    }
    switch (method) {
      case "getMe":
        return { ok: true, result: BOT }
      case "getChat":
        return chatId === this.adminChatId || this.managersChats.has(chatId) || this.chats.has(chatId)
          ? {
            ok: true,
            result: {
              ...chatOf(chatId),
              ...(chatId === this.adminChatId && this.forum ? { is_forum: true } : {}),
              accent_color_id: 0,
              max_reaction_count: 11,
              accepted_gift_types: {}
            }
          }
          : badRequest("chat not found")
      case "getChatMember":
        return Number(body.user_id) === BOT.id && (chatId === this.adminChatId || this.managersChats.has(chatId))
          ? {
            ok: true,
            result: {
              status: "administrator",
              user: BOT,
              can_be_edited: false,
              can_post_messages: true,
              can_manage_topics: this.canManageTopics
            }
          }
          : badRequest("user not found")
      case "createForumTopic": {
        if (chatId !== this.adminChatId || !this.forum) return badRequest("the chat is not a forum")
        if (!this.canManageTopics) return badRequest("not enough rights to create a topic")
        const name = String(body.name ?? "")
        if (name.length < 1 || name.length > 128) return badRequest("TOPIC_NAME_INVALID")
        const service = this.store(chatId, true, `«${name}»`, `«${name}»`, [], undefined, undefined, undefined)
        this.topics.set(service.message_id, { name, deleted: false })
        return { ok: true, result: { message_thread_id: service.message_id, name, icon_color: 7322096 } }
      }
      case "setWebhook":
        return this.setWebhook(body)
      case "deleteWebhook":
        this.webhook?.stop()
        this.webhook = undefined
        return { ok: true, result: true }
      case "answerCallbackQuery":
        this.answeredQueries.set(String(body.callback_query_id), body.text as string | undefined)
        return { ok: true, result: true }
      case "sendMessage":
        return this.sendMessage(chatId, body)
      case "sendPhoto":
        return this.sendPhoto(chatId, body)
      case "editMessageText":
        return this.editMessageText(chatId, body)
      case "editMessageCaption":
        return this.editMessageCaption(chatId, body)
      case "editForumTopic":
        return this.editForumTopic(chatId, body)
      case "copyMessage":
        return this.copyMessage(chatId, body)
      case "setMessageReaction": {
        const target = this.chat(chatId).find((m) => m.message_id === Number(body.message_id))
        if (!target) return badRequest("message to react not found")
        const reaction = (body.reaction as Array<{ emoji?: string }> | undefined) ?? []
        this.reactions.set(`${chatId}:${target.message_id}`, reaction.map((r) => r.emoji ?? ""))
        return { ok: true, result: true }
      }
      default:
        return { ok: false, error_code: 404, description: `Not Found: method ${method} is not simulated` }
    }
  }

  private takeAdminFault(): ApiResult | undefined {
    const fault = this.adminFault
    if (fault.kind === "ok") return undefined
    if (fault.times <= 0) return undefined
    fault.times--
    return fault.kind === "429"
      ? {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${fault.retryAfter}`,
        parameters: { retry_after: fault.retryAfter }
      }
      : { ok: false, error_code: 500, description: "Internal Server Error" }
  }

  private render(
    html: unknown,
    parseMode: unknown,
    limit: number,
    what: string
  ): { html: string; text: string } | ApiResult {
    if (typeof html !== "string") return badRequest(`${what} must be a string`)
    const parsed = parseMode === "HTML" ? parseTelegramHtml(html) : ({ ok: true, text: html } as const)
    if (!parsed.ok) return { ok: false, error_code: 400, description: parsed.error }
    if (parsed.text.length > limit) {
      return badRequest(what === "text" ? "message is too long" : "message caption is too long")
    }
    return { html, text: parsed.text }
  }

  private keyboard(body: Record<string, unknown>): ReadonlyArray<ReadonlyArray<InlineButton>> | ApiResult {
    const markup = body.reply_markup as { inline_keyboard?: Array<Array<InlineButton>> } | undefined
    const rows = markup?.inline_keyboard ?? []
    for (const button of rows.flat()) {
      if (button.callback_data !== undefined && Buffer.byteLength(button.callback_data) > 64) {
        return badRequest("BUTTON_DATA_INVALID")
      }
    }
    return rows
  }

  /** The topic a send names: none, a live one, or the error Telegram gives for a deleted one. */
  private threadOf(chatId: number, body: Record<string, unknown>): number | undefined | ApiResult {
    if (body.message_thread_id === undefined) return undefined
    const thread = Number(body.message_thread_id)
    const topic = chatId === this.adminChatId && this.forum ? this.topics.get(thread) : undefined
    if (!topic || topic.deleted) return badRequest("message thread not found")
    return thread
  }

  private sendMessage(chatId: number, body: Record<string, unknown>): ApiResult {
    const thread = this.threadOf(chatId, body)
    if (typeof thread === "object") return thread
    const rendered = this.render(body.text, body.parse_mode, 4096, "text")
    if ("ok" in rendered) return rendered
    if (rendered.text.trim() === "") return badRequest("message text is empty")
    const keyboard = this.keyboard(body)
    if ("ok" in keyboard) return keyboard
    const markup = body.reply_markup as Record<string, unknown> | undefined
    const message = this.store(
      chatId,
      true,
      rendered.html,
      rendered.text,
      keyboard,
      replyTo(body),
      undefined,
      undefined,
      thread,
      markup !== undefined && markup.inline_keyboard === undefined ? { replyMarkup: markup } : {}
    )
    return { ok: true, result: this.wire(BOT, message) }
  }

  /** An uploaded photo (multipart: the file itself, or `attach://<name>` naming its part). */
  private sendPhoto(chatId: number, body: Record<string, unknown>): ApiResult {
    const named = typeof body.photo === "string" && body.photo.startsWith("attach://")
      ? body[body.photo.slice("attach://".length)]
      : body.photo
    if (!(named instanceof Uint8Array) || named.length === 0) return badRequest("there is no photo in the request")
    const caption = this.render(body.caption ?? "", body.parse_mode, 1024, "caption")
    if ("ok" in caption) return caption
    const message = this.store(
      chatId,
      true,
      caption.html,
      caption.text,
      [],
      replyTo(body),
      "photo",
      undefined,
      undefined,
      {
        photo: named
      }
    )
    return { ok: true, result: { ...this.wire(BOT, message), photo: [{ file_id: `photo-${message.message_id}` }] } }
  }

  private editMessageText(chatId: number, body: Record<string, unknown>): ApiResult {
    const message = this.chat(chatId).find((m) => m.message_id === Number(body.message_id) && m.fromBot)
    if (!message) return badRequest("message to edit not found")
    // A message with media has a caption, edited with editMessageCaption.
    if (message.media !== undefined) return badRequest("there is no text in the message to edit")
    const rendered = this.render(body.text, body.parse_mode, 4096, "text")
    if ("ok" in rendered) return rendered
    const keyboard = this.keyboard(body)
    if ("ok" in keyboard) return keyboard
    if (rendered.html === message.html && JSON.stringify(keyboard) === JSON.stringify(message.keyboard)) {
      return badRequest([
        "message is not modified: specified new message content and reply markup are exactly the same",
        "as a current content and reply markup of the message"
      ].join(" "))
    }
    message.edits.push(message.text)
    message.html = rendered.html
    message.text = rendered.text
    message.keyboard = keyboard
    return { ok: true, result: this.wire(BOT, message) }
  }

  /** https://core.telegram.org/bots/api#editmessagecaption: a message with media; its caption at most 1024. */
  private editMessageCaption(chatId: number, body: Record<string, unknown>): ApiResult {
    const message = this.chat(chatId).find((m) => m.message_id === Number(body.message_id) && m.fromBot)
    if (!message) return badRequest("message to edit not found")
    if (message.media === undefined) return badRequest("there is no caption in the message to edit")
    const rendered = this.render(body.caption ?? "", body.parse_mode, 1024, "caption")
    if ("ok" in rendered) return rendered
    if (rendered.html === message.html) return badRequest("message is not modified")
    message.edits.push(message.text)
    message.html = rendered.html
    message.text = rendered.text
    return { ok: true, result: this.wire(BOT, message) }
  }

  /**
   * https://core.telegram.org/bots/api#editforumtopic: the bot needs can_manage_topics (unless it made the topic);
   * a name of 1-128 characters; the same name again is TOPIC_NOT_MODIFIED.
   */
  private editForumTopic(chatId: number, body: Record<string, unknown>): ApiResult {
    if (chatId !== this.adminChatId || !this.forum) return badRequest("the chat is not a forum")
    const topic = this.topics.get(Number(body.message_thread_id))
    if (!topic || topic.deleted) return badRequest("message thread not found")
    const name = String(body.name ?? "")
    if (name.length < 1 || name.length > 128) return badRequest("TOPIC_NAME_INVALID")
    if (name === topic.name) return badRequest("TOPIC_NOT_MODIFIED")
    topic.name = name
    return { ok: true, result: true }
  }

  private copyMessage(chatId: number, body: Record<string, unknown>): ApiResult {
    const thread = this.threadOf(chatId, body)
    if (typeof thread === "object") return thread
    const fromChat = Number(body.from_chat_id)
    const source = this.chat(fromChat).find((m) => m.message_id === Number(body.message_id))
    if (!source) return badRequest("message to copy not found")
    const caption = body.caption === undefined
      ? { html: source.html, text: source.text }
      : this.render(body.caption, body.parse_mode, 1024, "caption")
    if ("ok" in caption) return caption
    const copy = this.store(chatId, true, caption.html, caption.text, [], replyTo(body), source.media, {
      chatId: fromChat,
      messageId: source.message_id
    }, thread)
    return { ok: true, result: { message_id: copy.message_id } }
  }

  private setWebhook(body: Record<string, unknown>): ApiResult {
    if (this.refuseWebhooks !== undefined) return { ok: false, error_code: 400, description: this.refuseWebhooks }
    if (typeof body.url !== "string" || !/^https?:\/\//.test(body.url)) return badRequest("bad webhook: invalid URL")
    const secret = body.secret_token as string | undefined
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      return badRequest("bad webhook: secret token is invalid")
    }
    // Strict on purpose: dropping pending updates loses people's taps; a bot that asks does not start here.
    if (body.drop_pending_updates === true) return badRequest("the stand-in refuses drop_pending_updates")
    const previous = this.webhook
    previous?.stop()
    const pusher = new WebhookPusher(
      { url: body.url, secret, maxConnections: Number(body.max_connections ?? 40) },
      this.webhookAttempts,
      () => this.changed()
    )
    this.webhook = pusher
    // What waited for a poller, or was not yet accepted by the previous webhook, goes to this one, as Telegram does.
    for (const update of [...(previous?.pending ?? []), ...this.updates.splice(0)]) pusher.push(update)
    return { ok: true, result: true }
  }

  private async getUpdates(body: Record<string, unknown>, req: IncomingMessage): Promise<ApiResult> {
    if (this.webhook) {
      return {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
      }
    }
    const offset = Number(body.offset ?? 0)
    const limit = Number(body.limit ?? 100)
    const timeout = Number(body.timeout ?? 0)
    // Confirmed updates are forgotten, as Telegram does.
    while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift()
    // Two pollers with one token: the one already waiting is cut off with a 409, as Telegram does.
    this.cutOffPoller?.()
    let cutOff = false
    if (this.updates.length === 0 && this.redelivered.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout * 1000)
        const wake = () => (clearTimeout(timer), resolve())
        this.pollWaiters.push(wake)
        this.cutOffPoller = () => ((cutOff = true), wake())
        req.once("close", wake)
      })
      this.cutOffPoller = undefined
    }
    if (cutOff) {
      return {
        ok: false,
        error_code: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
      }
    }
    while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift()
    return { ok: true, result: [...this.redelivered.splice(0), ...this.updates].slice(0, limit) }
  }

  // ---- bookkeeping -----------------------------------------------------------------------------

  private store(
    chatId: number,
    fromBot: boolean,
    html: string,
    text: string,
    keyboard: ReadonlyArray<ReadonlyArray<InlineButton>>,
    replyToId: number | undefined,
    media: string | undefined,
    copyOf: SimMessage["copyOf"],
    thread?: number,
    extra: { readonly photo?: Uint8Array; readonly replyMarkup?: Record<string, unknown> } = {}
  ): SimMessage {
    const message_id = (this.nextMessageId.get(chatId) ?? 0) + 1
    this.nextMessageId.set(chatId, message_id)
    const message: SimMessage = {
      message_id,
      chatId,
      fromBot,
      html,
      text,
      keyboard,
      replyTo: replyToId,
      edits: [],
      media,
      copyOf,
      thread,
      ...extra,
      at: performance.now()
    }
    const list = this.chats.get(chatId) ?? []
    list.push(message)
    this.chats.set(chatId, list)
    if (fromBot) { for (const listener of this.listeners) listener(message) }
    this.changed()
    return message
  }

  private wire(from: object, message: SimMessage) {
    return {
      message_id: message.message_id,
      date: now(),
      chat: chatOf(message.chatId),
      from: { is_bot: false, ...from },
      ...(message.fromBot ? { text: message.text } : {}),
      ...(message.thread !== undefined ? { message_thread_id: message.thread, is_topic_message: true } : {}),
      ...(message.fromBot && message.replyTo !== undefined
        ? { reply_to_message: { message_id: message.replyTo, date: now(), chat: chatOf(message.chatId) } }
        : {})
    }
  }

  /** Delivers an update again, as Telegram does when it did not see it confirmed. */
  redeliver(updateId: number): void {
    const update = this.sent.get(updateId)
    if (!update) throw new Error(`no update ${updateId}`)
    if (this.webhook) return this.webhook.push(update)
    this.redelivered.push(update)
    this.wakePollers()
  }

  /** The update_id of the last update sent. */
  get lastUpdate(): number {
    return this.lastUpdateId
  }

  private push(update: Record<string, unknown>) {
    const full = { update_id: ++this.lastUpdateId, ...update }
    this.sent.set(full.update_id, full)
    if (this.webhook) return this.webhook.push(full)
    this.updates.push(full)
    this.wakePollers()
  }

  private wakePollers() {
    const waiters = this.pollWaiters
    this.pollWaiters = []
    for (const wake of waiters) wake()
  }

  private changed() {
    const waiters = this.changeWaiters
    this.changeWaiters = []
    for (const wake of waiters) wake()
  }
}

const now = () => Math.floor(Date.now() / 1000)
/** A text starting with a command (`/pending`) carries its bot_command entity, wherever it is written. */
const commandEntities = (text: string) =>
  text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] : undefined
const chatOf = (chatId: number) =>
  chatId < 0
    ? { id: chatId, type: "supergroup", title: "Managers" }
    : { id: chatId, type: "private", first_name: "Person" }
const replyTo = (body: Record<string, unknown>) =>
  (body.reply_parameters as { message_id?: number } | undefined)?.message_id

/** With a Content-Length, as Telegram answers (not chunked: node-fetch v2 misreads chunked bodies on reused sockets) */
const send = (res: ServerResponse, status: number, payload: ApiResult | object) => {
  const body = JSON.stringify(payload)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

/**
 * A multipart/form-data request's fields: text as strings, files as their bytes (busboy: grammY writes its part
 * headers without spaces, which undici's own parser refuses).
 */
const multipartBody = (bytes: Buffer, contentType: string): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const body: Record<string, unknown> = {}
    const parser = busboy({ headers: { "content-type": contentType } })
    parser.on("field", (name, value) => (body[name] = value))
    parser.on("file", (name, stream) => {
      const chunks: Array<Buffer> = []
      stream.on("data", (chunk: Buffer) => chunks.push(chunk))
      stream.on("end", () => (body[name] = new Uint8Array(Buffer.concat(chunks))))
    })
    parser.on("close", () => resolve(body))
    parser.on("error", reject)
    parser.end(bytes)
  })
