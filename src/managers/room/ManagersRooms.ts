import { Effect, Option } from "effect"

import { TelegramBot } from "../../telegram/TelegramBot.js"
import { ForumChats } from "../checkManagersChats.js"
import { ManagersChats } from "../ManagersChats.js"
import { makeManagersRoom, type ManagersRoom } from "./ManagersRoom.js"

/** Every managers' chat as a room: the one of a brand's leads (ManagersChats decides), or the one with an id. */
export class ManagersRooms extends Effect.Service<ManagersRooms>()("ManagersRooms", {
  effect: Effect.gen(function*() {
    const telegram = yield* TelegramBot
    const chats = yield* ManagersChats
    const { forums } = yield* ForumChats
    const rooms = new Map(chats.all.map((chat) => [chat.id, makeManagersRoom(telegram, chat, forums.has(chat.id))]))
    return {
      all: [...rooms.values()] as ReadonlyArray<ManagersRoom>,
      /** The room of a brand's leads. */
      of: (brand: string): ManagersRoom => rooms.get(chats.of(brand).id)!,
      /** The managers' room with this chat id, if it is one. */
      at: (chatId: number | undefined): Option.Option<ManagersRoom> => Option.fromNullable(rooms.get(chatId ?? NaN))
    } as const
  })
}) {}
