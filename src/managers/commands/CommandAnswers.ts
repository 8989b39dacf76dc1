import { Effect, FiberSet } from "effect"

import { deliveryBackoff } from "../../concurrency/backoff.js"
import type { StoreError } from "../../store/StoreError.js"
import { isRefusedForGood, type TelegramError } from "../../telegram/TelegramError.js"
import type { ManagersRoom } from "../room/ManagersRoom.js"
import { ManagersRooms } from "../room/ManagersRooms.js"

/** A message of a command's answer; made when it is sent (a retry shows things as they stand then). */
export type Part = Effect.Effect<unknown, TelegramError | StoreError>

const isTelegramError = (e: TelegramError | StoreError): e is TelegramError => e._tag === "TelegramError"

/**
 * A command's answer in a managers' chat, its parts in order: tried at once; if the chat fails, the parts not sent
 * yet are sent in the background once it recovers, each retried with the delivery backoff; one such answer per
 * command and chat at a time. A part Telegram refuses for good (a 400) is logged and left out.
 */
export class CommandAnswers extends Effect.Service<CommandAnswers>()("CommandAnswers", {
  scoped: Effect.gen(function*() {
    const rooms = yield* ManagersRooms
    /** The background retries of each command in each chat (at most one each). */
    const retries = new Map<string, FiberSet.FiberSet>()
    for (const room of rooms.all) {
      for (const command of ["/pending", "/stats"]) retries.set(`${command} ${room.chat.id}`, yield* FiberSet.make())
    }

    const answer = (command: "/pending" | "/stats", room: ManagersRoom, parts: ReadonlyArray<Part>) => {
      const background = retries.get(`${command} ${room.chat.id}`)!
      const explained = (e: TelegramError | StoreError) => (isTelegramError(e) ? room.explain(e) : e.message)
      const refused = (e: TelegramError) => Effect.logError(`${command}: a part of the answer refused: ${e.message}`)
      const later = (rest: ReadonlyArray<Part>) =>
        Effect.forEach(rest, (part) =>
          part.pipe(
            Effect.tapError((e) => Effect.logWarning(`${command} not answered yet, retrying: ${explained(e)}`)),
            Effect.retry({ schedule: deliveryBackoff, while: (e) => !isTelegramError(e) || !isRefusedForGood(e) }),
            Effect.catchIf(isTelegramError, refused)
          ), { discard: true }).pipe(
            Effect.zipRight(Effect.logInfo(`${command} answered after the admin chat recovered`))
          )
      const retryInBackground = (e: TelegramError, rest: ReadonlyArray<Part>) =>
        Effect.logWarning(`${command} not answered yet, retrying in the background: ${explained(e)}`).pipe(
          Effect.zipRight(FiberSet.size(background)),
          Effect.flatMap((running) =>
            running > 0 ? Effect.void : FiberSet.run(background, later(rest), { propagateInterruption: false })
          )
        )
      /** Sends the parts from `from` on, until one must wait for the chat to recover. */
      const inOrder = (from: number): Effect.Effect<void, StoreError> =>
        from >= parts.length ? Effect.void : parts[from]!.pipe(
          Effect.as(true),
          Effect.catchTag("TelegramError", (e) =>
            isRefusedForGood(e)
              ? refused(e).pipe(Effect.as(true))
              : retryInBackground(e, parts.slice(from)).pipe(Effect.as(false))),
          Effect.flatMap((goOn) => (goOn ? inOrder(from + 1) : Effect.void))
        )
      return inOrder(0)
    }

    return { answer } as const
  }),
  dependencies: [ManagersRooms.Default]
}) {}
