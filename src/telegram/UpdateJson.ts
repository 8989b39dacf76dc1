import { Schema } from "effect"

/**
 * A Bot API update as JSON text: its `update_id` checked, every other field kept as Telegram sent it (grammY's
 * filters read them). For the webhook's request bodies and the inbox's stored payloads alike.
 */
export const UpdateJson = Schema.parseJson(
  Schema.Struct({ update_id: Schema.Int }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
