import { Option } from "effect"

/**
 * A phone number as it is kept: `+` and digits, as Telegram gives a shared contact's. A Russian number written with
 * the trunk prefix (`8 999 …`, eleven digits) is the same number as `+7 999 …`.
 */
export const normalisePhone = (raw: string): string => {
  const digits = raw.replace(/\D/g, "")
  return `+${
    digits.length === 11 && digits.startsWith("8") && !raw.trim().startsWith("+") ? `7${digits.slice(1)}` : digits
  }`
}

/** A text that is only a phone number (`+7 999 123-45-67`, `8 (999) 123 45 67`): the number; else none. */
export const phoneInText = (text: string): Option.Option<string> => {
  const trimmed = text.trim()
  if (!/^\+?[\d\s()-]+$/.test(trimmed)) return Option.none()
  const digits = trimmed.replace(/\D/g, "").length
  return digits >= 10 && digits <= 15 ? Option.some(normalisePhone(trimmed)) : Option.none()
}
