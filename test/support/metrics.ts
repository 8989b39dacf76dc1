/** The samples of a Prometheus text, `name{labels}` → value. */
export const samples = (text: string) =>
  new Map(
    text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => {
      const at = l.lastIndexOf(" ")
      return [l.slice(0, at), Number(l.slice(at + 1))] as const
    })
  )

/** The samples a bot on `port` reports now. */
export const scrape = async (port: number) => samples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
