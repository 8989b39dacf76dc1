import { Option } from "effect"

import type { RoutingContext } from "../../telegram/routes.js"
import type { ManagersRoom } from "./ManagersRoom.js"

/** An update in a managers' chat, with its room (a grammY context flavor, set by the guard below). */
export type InManagersChat = RoutingContext & { readonly room: ManagersRoom }

/** A grammY filter: the update is in a managers' chat, whose room is then on the context. */
export const inManagersChat =
  (roomAt: (chatId: number | undefined) => Option.Option<ManagersRoom>) =>
  (ctx: RoutingContext): ctx is InManagersChat => {
    const room = roomAt(ctx.chat?.id)
    if (Option.isNone(room)) return false
    Object.assign(ctx, { room: room.value })
    return true
  }
