import { Schema } from "effect"
import type { Update } from "grammy/types"

/** What is checked of an update: its `update_id`; every other field is kept as Telegram sent it. */
const UpdateFields = Schema.Struct(
  { update_id: Schema.Int },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * An update, typed as grammY's `Update` (grammY's filters read its fields), once its `update_id` is checked: the
 * one place that trusts the rest of Telegram's shape.
 */
export const TelegramUpdate = Schema.declare(
  (input: unknown): input is Update => Schema.is(UpdateFields)(input),
  { identifier: "Update", description: "a Bot API update with an integer update_id" }
)

/** A Bot API update as JSON text: the webhook's request bodies and the inbox's stored payloads alike. */
export const UpdateJson = Schema.parseJson(TelegramUpdate)
