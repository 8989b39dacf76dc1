import { Data } from "effect"
import { GrammyError, HttpError } from "grammy"

/** A failed Bot API call. `description` never contains the token (grammY's HttpError cause may, so it is dropped). */
export class TelegramError extends Data.TaggedError("TelegramError")<{
  readonly method: string
  readonly code: number | undefined
  readonly description: string
  readonly retryAfter: number | undefined
}> {
  override get message() {
    return `${this.method} failed: ${this.code ?? "network"} ${this.description}`
  }
}

const redactToken = (text: string) => text.replace(/bot\d+:[\w-]+/g, "bot<redacted>")

export const toTelegramError = (method: string) => (error: unknown): TelegramError => {
  if (error instanceof GrammyError) {
    return new TelegramError({
      method,
      code: error.error_code,
      description: redactToken(error.description),
      retryAfter: error.parameters.retry_after
    })
  }
  // grammY's HttpError says only "Network request failed"; its cause says why (refused, reset, timed out…).
  const description = error instanceof HttpError
    ? `${error.message} (${error.error instanceof Error ? error.error.message : String(error.error)})`
    : error instanceof Error
    ? error.message
    : String(error)
  return new TelegramError({ method, code: undefined, description: redactToken(description), retryAfter: undefined })
}

/** Normal outcomes of an edit, not failures. */
export const isNotModified = (e: TelegramError) => e.code === 400 && /message is not modified/i.test(e.description)
export const isEditTargetGone = (e: TelegramError) =>
  e.code === 400 && /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(e.description)

/** The chat is gone for the bot until someone acts: a wrong id (400 chat not found) or the bot removed (403). */
export const isChatGone = (e: TelegramError) =>
  e.code === 403 || (e.code === 400 && /chat not found/i.test(e.description))

/** Telegram refuses the request itself (400, not a missing chat): sending it again cannot help. */
export const isRefusedForGood = (e: TelegramError) => e.code === 400 && !isChatGone(e)
