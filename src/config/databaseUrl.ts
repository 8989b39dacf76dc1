/** `postgres://…` or `postgresql://…`: a DATABASE_URL for PostgreSQL. */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

/** The URL with its password replaced, for a log line or an error. */
export const safeDatabaseUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.href
  } catch {
    return "(an invalid URL)"
  }
}
