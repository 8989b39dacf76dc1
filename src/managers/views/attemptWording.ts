import { Match } from "effect"

import type { CrmError } from "../../crm/CrmError.js"
import type { TelegramError } from "../../telegram/TelegramError.js"

/**
 * A failed round as the store keeps it: the CRM error's tag and, for an HTTP status, the status
 * (`CrmHttpStatusError 500`); the managers' chat's failure as `TelegramError <code>` (or `network`). Rows kept before
 * the status was noted hold the tag alone.
 */
export const crmAttemptOf: (error: CrmError) => string = Match.type<CrmError>().pipe(
  Match.tag("CrmHttpStatusError", (e) => `${e._tag} ${e.status}`),
  Match.orElse((e) => e._tag)
)
export const adminAttemptOf = (e: TelegramError): string => `TelegramError ${e.code ?? "network"}`

const crmWords: Record<string, string> = {
  CrmConnectionError: "CRM недоступна (ошибка соединения)",
  CrmHttpStatusError: "CRM ответила ошибкой",
  CrmTimeoutError: "CRM не ответила вовремя",
  CrmClientError: "запрос к CRM не удался",
  CrmUnknownError: "непредвиденная ошибка CRM"
}

/** The CRM's part of a round for managers: `CRM ответила 500`, `CRM не ответила вовремя`… (not class names). */
export const crmAttemptRu = (kept: string): string => {
  const [tag = "", status] = kept.split(" ")
  if (tag === "CrmHttpStatusError" && status !== undefined) return `CRM ответила ${status}`
  return crmWords[tag] ?? kept
}

/** The managers' chat's part of a round: `чат менеджеров: ошибка Telegram 500`. */
export const adminAttemptRu = (kept: string): string => {
  const code = /^TelegramError (\S+)$/.exec(kept)?.[1]
  if (code === undefined) return `чат менеджеров: ${kept}`
  return code === "network" ? "чат менеджеров: нет связи с Telegram" : `чат менеджеров: ошибка Telegram ${code}`
}
