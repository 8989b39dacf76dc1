import { Effect, Layer } from "effect"
import { Bot } from "grammy"

import { ForumChats } from "../../src/managers/checkManagersChats.js"
import { fromBot, TelegramBot } from "../../src/telegram/TelegramBot.js"

export const ADMIN = -100500

export interface ApiCall {
  readonly method: string
  readonly payload: Record<string, unknown>
  result?: unknown
}

export type Fault = { error_code: number; description: string; parameters?: { retry_after?: number } }

class NotImplemented extends Error {}

/**
 * A real grammY Bot whose API calls never leave the process: each is recorded and answered here, as the Bot API
 * answers it (https://core.telegram.org/bots/api). A method it does not implement fails the test (when the layer's
 * scope closes), as the Effect examples' stubs die on unimplemented methods. `forum`: ADMIN is a forum supergroup
 * whose topics a test can delete (`deleteTopic`); a send to a deleted topic is "message thread not found", an edit of a
 * message in one "message to edit not found".
 */
export const recordingTelegram = (fault?: (call: ApiCall) => Fault | undefined, { forum = false } = {}) => {
  const calls: Array<ApiCall> = []
  const unexpected: Array<string> = []
  const topics = new Set<number>()
  const deletedTopics = new Set<number>()
  /** Each message the bot posted in ADMIN: its topic. */
  const threadOf = new Map<number, number | undefined>()
  let nextId = 100
  const bot = new Bot("1:test", {
    botInfo: {
      id: 1,
      is_bot: true,
      first_name: "Test",
      username: "test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false
    }
  })

  const chatOf = (p: Record<string, unknown>) =>
    Number(p.chat_id) === ADMIN
      ? { id: ADMIN, type: "supergroup", title: "Managers", ...(forum ? { is_forum: true } : {}) }
      : { id: Number(p.chat_id), type: "private", first_name: "Person" }
  const refused = (description: string): Fault => ({ error_code: 400, description: `Bad Request: ${description}` })
  /** A new message in the chat (in its topic, if one was named); a deleted topic refuses it. */
  const posted = (p: Record<string, unknown>, content: object): object => {
    const thread = p.message_thread_id === undefined ? undefined : Number(p.message_thread_id)
    if (thread !== undefined && (!topics.has(thread) || deletedTopics.has(thread))) {
      throw refused("message thread not found")
    }
    const id = ++nextId
    if (Number(p.chat_id) === ADMIN) threadOf.set(id, thread)
    return {
      message_id: id,
      date: 0,
      chat: chatOf(p),
      ...(thread === undefined ? {} : { message_thread_id: thread, is_topic_message: true }),
      ...content
    }
  }
  const gone = (messageId: number) => {
    const thread = threadOf.get(messageId)
    return thread !== undefined && deletedTopics.has(thread)
  }

  const methods: Record<string, (p: Record<string, unknown>) => unknown> = {
    sendMessage: (p) => posted(p, { text: p.text }),
    sendPhoto: (p) => posted(p, { photo: [], caption: p.caption }),
    copyMessage: (p) => ({ message_id: (posted(p, {}) as { message_id: number }).message_id }),
    editMessageText: (p) => {
      if (gone(Number(p.message_id))) throw refused("message to edit not found")
      return { message_id: p.message_id, date: 0, chat: chatOf(p), text: p.text }
    },
    editMessageCaption: (p) => {
      if (gone(Number(p.message_id))) throw refused("message to edit not found")
      return { message_id: p.message_id, date: 0, chat: chatOf(p), caption: p.caption, photo: [] }
    },
    editForumTopic: (p) => {
      const thread = Number(p.message_thread_id)
      if (!forum || !topics.has(thread) || deletedTopics.has(thread)) throw refused("message thread not found")
      return true
    },
    answerCallbackQuery: () => true,
    setMessageReaction: () => true,
    getChat: (p) => chatOf(p),
    getChatMember: () => ({
      status: "administrator",
      user: bot.botInfo,
      can_post_messages: true,
      can_manage_topics: forum
    }),
    createForumTopic: (p) => {
      if (!forum || Number(p.chat_id) !== ADMIN) throw refused("the chat is not a forum")
      const thread = ++nextId
      topics.add(thread)
      return { message_thread_id: thread, name: p.name, icon_color: 7322096 }
    }
  }

  bot.api.config.use(async (_prev, method, payload) => {
    const call: ApiCall = { method, payload: payload as Record<string, unknown> }
    calls.push(call)
    const failure = fault?.(call)
    if (failure) return { ok: false, ...failure } as never
    const answer = methods[method]
    if (answer === undefined) {
      unexpected.push(method)
      throw new NotImplemented(`the test Telegram does not implement ${method}`)
    }
    try {
      call.result = answer(call.payload)
      return { ok: true, result: call.result } as never
    } catch (refusal) {
      return { ok: false, ...(refusal as Fault) } as never
    }
  })

  const strict = Layer.scopedDiscard(
    Effect.addFinalizer(() =>
      unexpected.length === 0
        ? Effect.void
        : Effect.dieMessage(`the test Telegram was asked what it does not implement: ${unexpected.join(", ")}`)
    )
  )
  return {
    calls,
    layer: Layer.mergeAll(
      Layer.succeed(TelegramBot, fromBot(bot)),
      Layer.succeed(ForumChats, { forums: new Set(forum ? [ADMIN] : []) }),
      strict
    ),
    adminCalls: () => calls.filter((c) => Number(c.payload.chat_id) === ADMIN),
    /** A manager deletes the topic: what the bot posted there is gone with it. */
    deleteTopic: (thread: number) => void deletedTopics.add(thread)
  }
}
