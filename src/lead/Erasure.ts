import { Schema } from "effect"

/**
 * Who asked for a person's data to be deleted: the person (/forget), or the operator (npm run forget-person); or
 * `delivery`: a lead reached the managers while its person was being forgotten, and what it posted is cleaned too.
 */
export const ErasureBy = Schema.Literal("person", "operator", "delivery")
export type ErasureBy = typeof ErasureBy.Type
/** Who may ask: a person's erasure is counted by them (`leadbot_forgotten_total{by}`). */
export const RequestedBy = Schema.Literal("person", "operator")
export type RequestedBy = typeof RequestedBy.Type

/**
 * What is left to do in the managers' chats after a person's data was deleted from the store: the bot's messages
 * about them edited so that nothing of theirs remains (`edit`: a message; `topic`: their forum topic renamed), and
 * the managers told which leads were theirs (`notice`).
 */
export const ErasureStepKind = Schema.Literal("edit", "topic", "notice")
export type ErasureStepKind = typeof ErasureStepKind.Type

export const ErasureStep = Schema.Struct({
  seq: Schema.Number,
  kind: ErasureStepKind,
  chatId: Schema.Number,
  /** The message (edit) or the topic's thread (topic); none for a notice. */
  targetId: Schema.OptionFromSelf(Schema.Number),
  /** The message's new text, the topic's new name, or the notice. */
  text: Schema.String,
  done: Schema.Boolean
})
export type ErasureStep = typeof ErasureStep.Type

/** One person's erasure, as outgoing work: recorded with the deletion, carried out step by step, retried. */
export const Erasure = Schema.Struct({
  id: Schema.String,
  by: ErasureBy,
  createdAt: Schema.Number,
  steps: Schema.Array(ErasureStep),
  dueAt: Schema.OptionFromSelf(Schema.Number),
  retries: Schema.Number
})
export type Erasure = typeof Erasure.Type

/** An erasure as it is recorded: its steps to do. */
export type NewErasure = Omit<Erasure, "steps" | "dueAt" | "retries"> & {
  readonly steps: ReadonlyArray<Omit<ErasureStep, "seq" | "done">>
}
