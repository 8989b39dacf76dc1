import type { TelegramBotService } from "./TelegramBot.js"

/** Answers a button press (every press is answered, at once), with a pop-up text or without. */
export const answerTap = (telegram: TelegramBotService, callbackQueryId: string, text?: string) =>
  telegram.call(
    "answerCallbackQuery",
    (api, signal) => api.answerCallbackQuery(callbackQueryId, text === undefined ? {} : { text }, signal)
  )
