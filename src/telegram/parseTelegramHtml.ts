/**
 * Telegram's HTML parse mode, strictly: only its tags, every `<`, `>` and `&` outside a tag escaped, tags
 * closed in order. Returns the visible text (what the 4096/1024 limits count) or the error Telegram gives.
 */
const ALLOWED = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-spoiler",
  "span",
  "tg-emoji"
])
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: "\"" }

export type HtmlResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string }

const decodeEntity = (name: string): string | undefined => {
  if (/^#[0-9]{1,7}$/.test(name)) return String.fromCodePoint(Number(name.slice(1)))
  if (/^#x[0-9a-f]{1,6}$/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16))
  return NAMED[name]
}

export const parseTelegramHtml = (html: string): HtmlResult => {
  const fail = (what: string, at: number): HtmlResult => ({
    ok: false,
    error: `Bad Request: can't parse entities: ${what} at byte offset ${Buffer.byteLength(html.slice(0, at))}`
  })
  const open: Array<string> = []
  let text = ""
  let i = 0
  while (i < html.length) {
    const c = html[i]!
    if (c === "<") {
      const end = html.indexOf(">", i)
      if (end < 0) return fail("Unclosed start tag", i)
      const tag = html.slice(i + 1, end)
      const closing = /^\/([a-z-]+)\s*$/i.exec(tag)
      if (closing) {
        const name = closing[1]!.toLowerCase()
        if (open.pop() !== name) return fail(`Unmatched end tag "${name}"`, i)
      } else {
        const start = /^([a-z-]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*$/i.exec(tag)
        if (!start || !ALLOWED.has(start[1]!.toLowerCase())) {
          return fail(`Unsupported start tag "${tag.split(/\s/)[0]}"`, i)
        }
        const attrs = start[2] ?? ""
        for (const m of attrs.matchAll(/="([^"]*)"/g)) {
          if (/&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-f]+);)/i.test(m[1]!)) return fail("Unescaped & in attribute", i)
        }
        open.push(start[1]!.toLowerCase())
      }
      i = end + 1
    } else if (c === "&") {
      const m = /^&([a-z]+|#[0-9]+|#x[0-9a-f]+);/i.exec(html.slice(i, i + 12))
      const decoded = m ? decodeEntity(m[1]!) : undefined
      if (!m || decoded === undefined) return fail("Character entity expected", i)
      text += decoded
      i += m[0].length
    } else if (c === ">") {
      return fail("Unexpected end tag", i)
    } else {
      text += c
      i++
    }
  }
  if (open.length > 0) {
    return fail(`Can't find end tag corresponding to start tag "${open[open.length - 1]}"`, html.length)
  }
  return { ok: true, text }
}
