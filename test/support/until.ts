/** Checks until `check` gives a value (a check that throws counts as not yet), or fails after `ms`. */
export const until = async <A>(what: string, check: () => Promise<A | undefined>, ms = 15_000): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Until the bot on `port` answers /readyz with 200 (under tsx it starts in seconds; on a loaded machine, more). */
export const untilReady = (port: number, ms = 45_000) =>
  until(
    `the bot on port ${port} to be ready`,
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined,
    ms
  )
