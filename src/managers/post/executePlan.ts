import { Effect } from "effect"

import { isEditTargetGone, type TelegramError } from "../../telegram/TelegramError.js"
import type { ManagersRoom } from "../room/ManagersRoom.js"
import type { Plan, Posted, Step } from "../views/Plan.js"

const ids = (messages: ReadonlyArray<{ readonly message_id: number }>) => messages.map((m) => m.message_id)

/** One step, in the room and topic; what it posted. */
const runStep = (room: ManagersRoom, thread: number | undefined, step: Step): Effect.Effect<Posted, TelegramError> => {
  switch (step._tag) {
    case "Send":
      return room.send(step.view.text, { markup: step.view.markup, reply: step.reply, thread }).pipe(
        Effect.map((m) => ({
          posted: [m.message_id],
          inMessage: step.moves === true,
          ...(step.moves ? { moved: m.message_id } : {})
        }))
      )
    case "SendInParts":
      return room.sendInParts(step.header, step.text, { reply: step.reply, thread }).pipe(
        Effect.map((parts) => ({ posted: ids(parts), inMessage: false }))
      )
    case "Copy":
      return room.copy(step.from, step.caption, { reply: step.reply, thread }).pipe(
        Effect.flatMap((copied) =>
          step.overflow === undefined
            ? Effect.succeed({ posted: [copied], inMessage: false })
            : room.sendInParts(step.overflow.header, step.overflow.text, { reply: copied, thread }).pipe(
              Effect.map((parts) => ({ posted: [copied, ...ids(parts)], inMessage: false }))
            )
        )
      )
    case "Edit":
      return room.edit(step.messageId, step.view).pipe(
        Effect.as<Posted>({ posted: [], inMessage: true }),
        Effect.catchIf(
          isEditTargetGone,
          () =>
            step.ifGone === undefined
              ? Effect.succeed({ posted: [], inMessage: false })
              : runStep(room, thread, step.ifGone)
        )
      )
  }
}

/** Runs the plan's steps in order in the room (in the topic `thread` of a forum); everything they posted. */
export const executePlan = (room: ManagersRoom, thread: number | undefined, plan: Plan) => {
  const nothing: Posted = { posted: [], inMessage: false }
  return Effect.reduce(plan, nothing, (sum, step) =>
    runStep(room, thread, step).pipe(
      Effect.map((done): Posted => {
        const moved = done.moved ?? sum.moved
        return {
          posted: [...sum.posted, ...done.posted],
          inMessage: sum.inMessage || done.inMessage,
          ...(moved === undefined ? {} : { moved })
        }
      })
    ))
}
