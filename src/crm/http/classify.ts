import { safeUrl } from "../../http/safeUrl.js"
import { CrmClientError, CrmConnectionError, type CrmError } from "../CrmError.js"

/** The transport failures that mean the CRM could not be reached (or the connection broke). */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "ETIMEDOUT",
  // undici's own: the socket closed under the request, or the connection could not be made in time.
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT"
])

/**
 * Removes secrets from a text a CRM or the transport produced: the URL (its secret path on its own too, a CRM may
 * echo it back) and any other secret given (a token).
 */
export const redact = (text: string, url: string, secrets: ReadonlyArray<string> = []): string => {
  let path = ""
  try {
    path = new URL(url).pathname
  } catch {
    path = ""
  }
  const withoutUrl = url === "" ? text : text.split(url).join(safeUrl(url))
  const withoutPath = path.length > 1 ? withoutUrl.split(path).join("/…") : withoutUrl
  return secrets.filter((s) => s.length > 0).reduce((acc, secret) => acc.split(secret).join("…"), withoutPath)
}

export const errorCode = (cause: unknown): string | undefined => {
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : undefined
}

export const causeMessage = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/**
 * A failure of the request itself (no answer came: the connection, or the request could not be made) as a CrmError:
 * a connection error when the CRM could not be reached or the connection broke, else a client error.
 */
export const classifyTransport = (url: string, secrets: ReadonlyArray<string> = []) => (cause: unknown): CrmError => {
  const detail = redact(causeMessage(cause), url, secrets)
  const code = errorCode(cause)
  return code !== undefined && CONNECTION_CODES.has(code)
    ? new CrmConnectionError({ detail, code })
    : new CrmClientError({ detail })
}

/** A CRM's answer, flattened and cut to 200 characters, for a log line. */
export const excerpt = (body: string): string => {
  const flat = body.replace(/\s+/g, " ").trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}
