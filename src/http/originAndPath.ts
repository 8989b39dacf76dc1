/** A URL as undici's `request` takes it: its origin, and its path with the query. */
export const originAndPath = (url: URL) => ({ origin: url.origin, path: `${url.pathname}${url.search}` })
