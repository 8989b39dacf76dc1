import { Option } from "effect"

import type { ConsentRecord } from "../src/lead/Consent.js"

const iso = (at: number) => new Date(at).toISOString()

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, "\"\"")}"` : value)

/** The log as CSV (RFC 4180, CRLF line ends), a header first. */
export const consentCsv = (records: ReadonlyArray<ConsentRecord>): string =>
  [
    ["telegram_id", "version", "text_sha256", "accepted_at", "how", "withdrawn_at"],
    ...records.map((r) => [
      String(r.telegramId),
      r.version,
      r.textSha256,
      iso(r.acceptedAt),
      r.how,
      Option.match(r.withdrawnAt, { onNone: () => "", onSome: iso })
    ])
  ].map((row) => row.map(field).join(",")).join("\r\n") + "\r\n"

/** One person's history, a line an accept. */
export const historyLines = (telegramId: number, records: ReadonlyArray<ConsentRecord>): string =>
  records.length === 0
    ? `${telegramId}: no consent in the log`
    : records.map((r) =>
      `${telegramId}: ${iso(r.acceptedAt)} accepted version ${r.version} (${r.how}; text sha256 ${r.textSha256})${
        Option.match(r.withdrawnAt, { onNone: () => "", onSome: (at) => `; withdrawn ${iso(at)}` })
      }`
    ).join("\n")
