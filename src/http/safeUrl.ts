/**
 * A URL as a log line may show it: the origin only. The path of a CRM webhook or of the bot's own webhook is as good
 * as a password.
 */
export const safeUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return parsed.pathname === "/" && parsed.search === "" ? parsed.origin : `${parsed.origin}/…`
  } catch {
    return "(invalid URL)"
  }
}
