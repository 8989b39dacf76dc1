import { Effect, Ref, Schedule } from "effect"
import type { Update } from "grammy/types"
import { Funnel } from "../funnel/Funnel.js"
import { TelegramBot } from "../telegram/TelegramBot.js"

/** Updates of one chat stay in order; different chats run in parallel. */
export const chatKey = (update: Update): number =>
  update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ??
    update.edited_message?.chat.id ?? -update.update_id

export const groupByChat = (updates: ReadonlyArray<Update>): ReadonlyArray<ReadonlyArray<Update>> => {
  const groups = new Map<number, Array<Update>>()
  for (const update of updates) {
    const key = chatKey(update)
    const group = groups.get(key)
    if (group) group.push(update)
    else groups.set(key, [update])
  }
  return [...groups.values()]
}

const LONG_POLL_SECONDS = 25
const pollRetry = Schedule.exponential("500 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))

/**
 * Our own getUpdates loop (not `bot.start()`): the offset moves past an update only after it was handled,
 * and a batch is never interrupted half-way, so a shutdown loses nothing.
 */
export class Polling extends Effect.Service<Polling>()("Polling", {
  scoped: Effect.gen(function* () {
    const telegram = yield* TelegramBot
    const funnel = yield* Funnel
    const offset = yield* Ref.make(0)

    const getUpdates = (timeout: number, limit?: number) =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) =>
          telegram.call("getUpdates", (api, signal) =>
            api.getUpdates({ offset: from, timeout, limit, allowed_updates: ["message", "callback_query"] }, signal))
        )
      )

    const handleBatch = (updates: ReadonlyArray<Update>) =>
      Effect.forEach(groupByChat(updates), (group) => Effect.forEach(group, funnel.handle, { discard: true }), {
        concurrency: "unbounded",
        discard: true
      }).pipe(
        Effect.zipRight(Ref.set(offset, updates[updates.length - 1]!.update_id + 1)),
        Effect.uninterruptible
      )

    const loop = getUpdates(LONG_POLL_SECONDS).pipe(
      Effect.tapError((e) => Effect.logWarning(`getUpdates failed, retrying: ${e.message}`)),
      Effect.retry(pollRetry),
      Effect.flatMap((updates) => (updates.length === 0 ? Effect.void : handleBatch(updates))),
      Effect.forever
    )

    yield* telegram.call("deleteWebhook", (api, signal) => api.deleteWebhook({ drop_pending_updates: false }, signal))
    yield* Effect.forkScoped(loop)
    // On shutdown, tell Telegram which updates are done, so a restart does not see them again.
    yield* Effect.addFinalizer(() =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) => (from === 0 ? Effect.void : getUpdates(0, 1))),
        Effect.timeout("3 seconds"),
        Effect.ignore,
        Effect.zipRight(Effect.logInfo("polling stopped"))
      ))
    yield* Effect.logInfo("polling for updates")
    return { nextOffset: Ref.get(offset) } as const
  })
}) {}
