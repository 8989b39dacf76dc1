import { Effect, Option, Ref, Schedule } from "effect"
import type { Update } from "grammy/types"
import { Funnel } from "../funnel/Funnel.js"
import { Inbox } from "../store/Inbox.js"
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
 * Our own getUpdates loop (not `bot.start()` or the runner): each batch is recorded in the Inbox before the
 * offset moves past it, then handled and marked. A kill between the two loses nothing: recorded-but-unhandled
 * updates are handled at the next start, and an update seen twice is handled once.
 */
export class Polling extends Effect.Service<Polling>()("Polling", {
  scoped: Effect.gen(function* () {
    const telegram = yield* TelegramBot
    const funnel = yield* Funnel
    const inbox = yield* Inbox
    const offset = yield* Ref.make(Option.match(yield* inbox.lastRecorded, { onNone: () => 0, onSome: (id) => id + 1 }))

    const getUpdates = (timeout: number, limit?: number) =>
      Ref.get(offset).pipe(
        Effect.flatMap((from) =>
          telegram.call("getUpdates", (api, signal) =>
            api.getUpdates({ offset: from, timeout, limit, allowed_updates: ["message", "callback_query"] }, signal))
        )
      )

    // Handlers never fail (Funnel.handle logs); a replayed batch is harmless: repeat taps make no second lead
    // and a follow-up is keyed by its message.
    const handleAll = (updates: ReadonlyArray<Update>) =>
      Effect.forEach(groupByChat(updates), (group) => Effect.forEach(group, funnel.handle, { discard: true }), {
        concurrency: "unbounded",
        discard: true
      }).pipe(
        Effect.zipRight(inbox.markHandled(updates.map((u) => u.update_id))),
        Effect.catchAll((e) => Effect.logError(`marking ${updates.length} updates handled: ${e.message}`))
      )

    /** One long poll; the batch is recorded before the offset moves past it. */
    const receive = getUpdates(LONG_POLL_SECONDS).pipe(
      Effect.flatMap((updates) =>
        updates.length === 0 ? Effect.succeed([]) : inbox.record(updates).pipe(
          Effect.tap(() => Ref.set(offset, updates[updates.length - 1]!.update_id + 1)),
          Effect.uninterruptible
        )),
      Effect.tapError((e) => Effect.logWarning(`receiving updates failed, retrying: ${e.message}`)),
      Effect.retry(pollRetry)
    )

    const loop = receive.pipe(
      Effect.flatMap((fresh) => Effect.uninterruptible(handleAll(fresh))),
      Effect.forever
    )

    const leftOver = yield* inbox.unhandled
    if (leftOver.length > 0) {
      yield* Effect.logInfo(`handling ${leftOver.length} updates recorded before the last stop`)
      yield* handleAll(leftOver)
    }

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
    // A running loop, not an API: the service is what keeps it alive for the app's lifetime.
    return {} as const
  })
}) {}
