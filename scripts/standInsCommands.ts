import { CRM_MODE_NAMES, CRM_MODES, type CrmModeName, type CrmSim } from "../sim/CrmSim.js"
import type { SimUser, TelegramSim } from "../sim/TelegramSim.js"

/** The commands typed in the stand-ins' terminal, as `npm run stand-ins -- --help` lists them. */
export const COMMANDS =
  `  <text>                    what the person sends the bot (e.g. /start agency; send <text> for a text that
                            starts with one of these words)
  tap <button text>         the person taps a button of the bot's latest message that has it, or of the reply
                            keyboard under their input field (⌨: the phone button shares their contact)
  contact [phone]           the person shares their own contact (+79001234567 unless given)
  photo [caption]           the person sends a photo
  block, unblock            the person blocks the bot (Telegram then answers 403) or unblocks it
  admin <text>              a manager writes in the managers' chat (e.g. admin /pending)
  admin-tap <button text>   a manager taps a button there (e.g. admin-tap ✅ Внесено в CRM)
  reply <#N> <text>         a manager replies to the bot's message #N there (ids are printed): the person it is
                            about gets it
  topic <#N> <text>         a manager writes in the forum topic #N (the id printed with "a new topic")
  forum <on|off|no-right>   the admin chat becomes a forum (no-right: one where the bot may not manage topics), or a
                            group again; restart the bot to see it (it learns the chat's kind at start-up)
  chat <id|admin>           admin, admin-tap and reply act in the managers' chat <id> from now on, made if new (for
                            ADMIN_CHAT_ID_<BRAND>=<id> in .env; restart the bot); chat admin: the admin chat again
  crm <${CRM_MODE_NAMES.join("|")}>  how the CRM answers from now on (hang: no answer)`

const idOf = (
  word: string | undefined
) => (word !== undefined && /^#?\d+$/.test(word) ? Number(word.replace("#", "")) : NaN)

/**
 * One typed line carried out on the stand-ins, as the person or a manager; what cannot be done is said in one
 * line in brackets (`say`), and nothing is sent.
 */
export const standInsCommands = (
  stand: { readonly telegram: TelegramSim; readonly crm: CrmSim },
  people: { readonly person: SimUser; readonly manager: SimUser },
  say: (line: string) => void
) => {
  const { crm, telegram } = stand
  const { manager, person } = people
  /** The managers' chat the managers' commands act in (`chat`). */
  let managersChat = telegram.adminChatId
  /** The other managers' chats made with `chat`, for the transcript. */
  const managersChats = new Set<number>()

  const latestWith = (chatId: number, text: string) =>
    [...telegram.botMessages(chatId)].reverse().find((m) => m.keyboard.flat().some((b) => b.text === text))

  const run = (line: string) => {
    const [word, ...rest] = line.trim().split(" ")
    const argument = rest.join(" ").trim()
    const [first, ...others] = argument.split(" ")
    const afterId = others.join(" ").trim()
    switch (word) {
      case "":
        return
      case "send":
        return void telegram.sendText(person, argument)
      case "tap": {
        if (latestWith(person.id, argument) !== undefined) return void telegram.tap(person, argument)
        if (telegram.replyKeyboard(person.id)?.flat().some((b) => b.text === argument)) {
          return void telegram.pressReplyButton(person, argument)
        }
        return say(`(no button "${argument}" there)`)
      }
      case "contact":
        if (argument !== "" && !/^\+?[\d\s()-]{10,20}$/.test(argument)) {
          return say("(contact [phone], e.g. contact +79991234567)")
        }
        return void telegram.sendContact(person, argument || "+79001234567")
      case "photo":
        return void telegram.sendMedia(person, "photo", argument || undefined)
      case "block":
      case "unblock":
        if (word === "block") telegram.blocked.add(person.id)
        else telegram.blocked.delete(person.id)
        return say(word === "block" ? "(you blocked the bot: Telegram answers it 403)" : "(you unblocked the bot)")
      case "admin":
        return void telegram.sendText(manager, argument, managersChat)
      case "admin-tap":
        if (latestWith(managersChat, argument) === undefined) return say(`(no button "${argument}" there)`)
        return void telegram.tap(manager, argument, managersChat)
      case "reply": {
        const id = idOf(first)
        if (!telegram.botMessages(managersChat).some((m) => m.message_id === id) || afterId === "") {
          return say(`(reply #N <text>: N is a bot's message of the managers' chat ${managersChat}, as printed)`)
        }
        return void telegram.sendText(manager, afterId, managersChat, id)
      }
      case "topic": {
        const id = idOf(first)
        const topic = telegram.topics.get(id)
        if (!telegram.forum || topic === undefined || topic.deleted || afterId === "") {
          const live = [...telegram.topics].filter(([, t]) => !t.deleted).map(([n, t]) => `#${n} «${t.name}»`)
          return say(
            `(topic #N <text>: N is a topic of the admin chat, a forum; its topics: ${live.join(", ") || "none"})`
          )
        }
        return void telegram.sendInTopic(manager, afterId, id)
      }
      case "forum": {
        if (!["on", "off", "no-right"].includes(argument)) return say("(forum on, forum off or forum no-right)")
        telegram.forum = argument !== "off"
        telegram.canManageTopics = argument !== "no-right"
        return say(
          `(the admin chat is ${
            argument === "off"
              ? "a group"
              : argument === "on"
              ? "a forum"
              : "a forum where the bot may not manage topics"
          } now: restart the bot, it learns the chat's kind at start-up)`
        )
      }
      case "chat": {
        if (argument === "admin") {
          managersChat = telegram.adminChatId
          return say(`(the managers' commands act in the admin chat ${managersChat})`)
        }
        if (!/^-\d+$/.test(argument)) {
          return say("(chat <id>: a group's id, negative, e.g. chat -100888; or chat admin)")
        }
        managersChat = Number(argument)
        if (managersChat !== telegram.adminChatId && !managersChats.has(managersChat)) {
          telegram.addManagersChat(managersChat)
          managersChats.add(managersChat)
          say(`(a managers' chat ${managersChat}: set ADMIN_CHAT_ID_<BRAND>=${managersChat} in .env, restart the bot)`)
        }
        return say(`(the managers' commands act in the chat ${managersChat})`)
      }
      case "crm": {
        if (!CRM_MODE_NAMES.includes(argument as CrmModeName)) {
          return say(`(the CRM's modes: ${CRM_MODE_NAMES.join(", ")})`)
        }
        return void crm.setMode(CRM_MODES[argument as CrmModeName]).then(() =>
          say(`(the CRM answers ${argument} from now on)`)
        )
      }
      default:
        return void telegram.sendText(person, line.trim())
    }
  }
  return { run, managersChats: () => managersChats } as const
}
