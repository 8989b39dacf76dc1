import { Context, Effect, Layer } from "effect"
import type { Api } from "grammy"
import type { ChatFullInfo, ChatMember } from "grammy/types"

import { StartupError } from "../config/StartupError.js"
import { type ApiSignal, STARTUP_CALL_TIMEOUT, TelegramBot } from "../telegram/TelegramBot.js"
import { TelegramError } from "../telegram/TelegramError.js"
import { type ManagersChat, ManagersChats } from "./ManagersChats.js"

/**
 * Which managers' chats are forums (topics): there, everything about a person goes into a topic of theirs, which
 * the bot makes. None unless the start-up check says so.
 */
export class ForumChats extends Context.Reference<ForumChats>()("ForumChats", {
  defaultValue: (): { readonly forums: ReadonlySet<number> } => ({ forums: new Set() })
}) {}

/** Why the bot may not post in the chat (or, in a forum, not make topics), or undefined when it may. */
export const refusalOf = (chat: ChatFullInfo, me: ChatMember | undefined): string | undefined => {
  if (chat.type === "private" || me === undefined) return undefined
  if (chat.is_forum === true && me.status !== "creator" && !(me.status === "administrator" && me.can_manage_topics)) {
    return "the chat is a forum: the bot must be an administrator allowed to manage topics (can_manage_topics)"
  }
  switch (me.status) {
    case "left":
      return "the bot is not a member of that chat: add it"
    case "kicked":
      return "the bot was removed from that chat: add it back"
    case "restricted":
      return me.can_send_messages ? undefined : "the bot may not send messages there: allow it"
    case "administrator":
      return chat.type === "channel" && !me.can_post_messages
        ? "the bot may not post in that channel: allow it"
        : undefined
    case "member":
      return chat.type === "channel" ? "in a channel the bot must be an administrator that may post" : undefined
    case "creator":
      return undefined
  }
}

/**
 * At start: a managers' chat exists, the bot is in it and may post there. Otherwise every fallback lead would be
 * retried into nowhere while people were told "Принято", so start-up stops with one line naming its variable.
 * True when it is a forum.
 */
export const checkManagersChat = (managers: ManagersChat) =>
  Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const chatId = managers.id
    const bounded = <A>(method: string, f: (api: Api, signal: ApiSignal) => Promise<A>) =>
      telegram.call(method, f).pipe(Effect.timeoutFail({
        duration: STARTUP_CALL_TIMEOUT,
        onTimeout: () => new TelegramError({ method, code: undefined, description: "no answer", retryAfter: undefined })
      }))
    // Both at once (start-up waits for them); what the bot may do there matters only outside a private chat.
    const [chat, member] = yield* Effect.all([
      bounded("getChat", (api, signal) => api.getChat(chatId, signal)),
      bounded("getChatMember", (api, signal) => api.getChatMember(chatId, telegram.bot.botInfo.id, signal)).pipe(
        Effect.either
      )
    ], { concurrency: 2 })
    const me = chat.type === "private" ? undefined : yield* member
    const refusal = refusalOf(chat, me)
    if (refusal !== undefined) return yield* new StartupError({ message: `${managers.variable}=${chatId}: ${refusal}` })
    const forum = chat.is_forum === true
    const brands = managers.everyBrand ? "every brand" : managers.brands.join(", ") || "no brand"
    yield* Effect.logInfo(
      `managers' chat ${managers.variable} (${brands}): ${
        chat.type === "private"
          ? "a private chat"
          : `"${chat.title}" (${chat.type}${forum ? ", a forum: a topic a person" : ""})`
      }`
    )
    return forum
  }).pipe(
    Effect.catchTag("TelegramError", (e) =>
      Effect.fail(
        new StartupError({
          message: e.code === 400 || e.code === 403
            ? `${managers.variable}=${managers.id}: Telegram says "${e.description}": check the id, and that the ` +
              "bot is in that chat (a person must have started the bot)"
            : `cannot check ${managers.variable}=${managers.id}: ${e.message}`
        })
      ))
  )

/** Every managers' chat, checked at once; which of them are forums. */
export const checkManagersChats = Effect.gen(function*() {
  const { all } = yield* ManagersChats
  const forums = yield* Effect.forEach(
    all,
    (chat) => Effect.map(checkManagersChat(chat), (forum) => (forum ? [chat.id] : [])),
    { concurrency: "unbounded" }
  )
  return { forums: new Set(forums.flat()) }
})

/** The check as a start-up step of the app; it says which managers' chats are forums. */
export const ManagersChatsChecked = Layer.effect(ForumChats, checkManagersChats)
