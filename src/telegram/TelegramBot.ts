import { NodeHttpClient } from "@effect/platform-node"
import { autoRetry } from "@grammyjs/auto-retry"
import { Context, Duration, Effect, Layer, Metric, Redacted } from "effect"
import { type Api, Bot } from "grammy"

import { AppConfig } from "../config/AppConfig.js"
import { StartupError } from "../config/StartupError.js"
import { undiciFetch } from "../http/undiciFetch.js"
import { labelled, telegramErrors } from "../metrics/metrics.js"
import { TelegramError, toTelegramError } from "./TelegramError.js"

/** grammY types its signal with the `abort-controller` shim; at run time it is Node's own AbortSignal. */
export type ApiSignal = NonNullable<Parameters<Api["getMe"]>[0]>

export interface TelegramBotService {
  /** The grammY bot: its middleware routes updates (`handleUpdate`). */
  readonly bot: Bot
  /** Every Bot API call goes through here: a rejection becomes a `TelegramError`, interruption aborts the request. */
  readonly call: <A>(method: string, f: (api: Api, signal: ApiSignal) => Promise<A>) => Effect.Effect<A, TelegramError>
}

const telegramErrorsOf = labelled(telegramErrors, "method", "code")

export class TelegramBot extends Context.Tag("TelegramBot")<TelegramBot, TelegramBotService>() {}

export const fromBot = (bot: Bot): TelegramBotService => ({
  bot,
  call: (method, f) =>
    // No span per call: the error names the method, and a burst makes thousands of calls.
    Effect.tryPromise({ try: (signal) => f(bot.api, signal as unknown as ApiSignal), catch: toTelegramError(method) })
      .pipe(
        Effect.tapError((e) => Metric.increment(telegramErrorsOf(method, String(e.code ?? "network"))))
      )
})

/** 429s are waited out here (bounded); 5xx and network errors surface, so delivery's own backoff owns them. */
export const rateLimitRetry = () =>
  autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowInternalServerErrors: true, rethrowHttpErrors: true })

/** A Bot API call at start-up that does not answer in this time stops start-up (a supervisor sees why). */
export const STARTUP_CALL_TIMEOUT = Duration.seconds(30)
const noAnswer = (method: string) =>
  new TelegramError({
    method,
    code: undefined,
    description: `no answer in ${Duration.format(STARTUP_CALL_TIMEOUT)}`,
    retryAfter: undefined
  })

export const TelegramBotLive = Layer.effect(
  TelegramBot,
  Effect.gen(function*() {
    const config = yield* AppConfig
    const dispatcher = yield* NodeHttpClient.Dispatcher
    const bot = new Bot(Redacted.value(config.botToken), {
      client: { apiRoot: config.telegramApiRoot, fetch: undiciFetch(dispatcher) }
    })
    bot.api.config.use(rateLimitRetry())
    const telegram = fromBot(bot)
    // Not `bot.init()`: it retries a failed getMe forever; a wrong root or token should stop start-up.
    bot.botInfo = yield* telegram.call("getMe", (api, signal) => api.getMe(signal)).pipe(
      Effect.timeoutFail({ duration: STARTUP_CALL_TIMEOUT, onTimeout: () => noAnswer("getMe") }),
      Effect.mapError((e: TelegramError) =>
        new StartupError({
          message: e.code === 401 || e.code === 404
            ? `Telegram rejected BOT_TOKEN (${e.code} ${e.description})`
            : `cannot reach the Telegram Bot API at TELEGRAM_API_ROOT=${config.telegramApiRoot}: ${e.description}`
        })
      )
    )
    yield* Effect.logInfo(`connected to Telegram as @${bot.botInfo.username}`)
    return telegram
  })
)
