import type { Update } from "grammy/types"

/** The chat an update belongs to, whose updates are handled in order (an update of none is its own). */
export const chatKey = (update: Update): number =>
  update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ??
    update.edited_message?.chat.id ?? -update.update_id
