/** Telegram HTML helpers. Anything a person typed goes through `escapeHtml` before it meets a tag. */

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }

export const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => escapes[c]!)

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: "\"" }

/** The text as Telegram counts it: tags removed, entities decoded (UTF-16 units, like the 4096 limit). */
export const visibleText = (html: string): string =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16))
      if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10))
      return entities[name.toLowerCase()] ?? whole
    })

export const visibleLength = (html: string): number => visibleText(html).length

/** Telegram's limits on one message's text and one caption, after entity parsing. */
export const MESSAGE_LIMIT = 4096
export const CAPTION_LIMIT = 1024

/** Splits plain text into pieces of at most `max` UTF-16 units, preferring line breaks, never halving a pair. */
export const splitText = (text: string, max: number): ReadonlyArray<string> => {
  if (max < 2) throw new RangeError("splitText: max must be at least 2")
  const pieces: Array<string> = []
  let rest = text
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max)
    if (cut < max / 2) cut = max
    const code = rest.charCodeAt(cut - 1)
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1
    pieces.push(rest.slice(0, cut))
    rest = rest.slice(cut).replace(/^\n/, "")
  }
  pieces.push(rest)
  return pieces
}

/** A link that opens the person's profile even when they have no @username. */
export const userLink = (telegramId: number, label: string): string =>
  `<a href="tg://user?id=${telegramId}">${escapeHtml(label)}</a>`
