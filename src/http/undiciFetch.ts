import type { Dispatcher } from "undici"

import { originAndPath } from "./originAndPath.js"

interface ApiRequest {
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: Dispatcher.DispatchOptions["body"]
  readonly signal?: AbortSignal
}

/**
 * The `fetch` grammY calls for each Bot API request, on undici's pooled `request` instead of node-fetch, which
 * costs more CPU per call (BENCHMARKS.md). grammY only reads the JSON of the response; its own
 * `connection: keep-alive` header is dropped (undici keeps connections alive itself and rejects that header).
 */
export const undiciFetch = (dispatcher: Dispatcher): typeof fetch =>
  (async (url: string, init: ApiRequest = {}) => {
    const { connection: _, ...headers } = init.headers ?? {}
    const response = await dispatcher.request({
      ...originAndPath(new URL(url)),
      method: (init.method ?? "GET") as Dispatcher.HttpMethod,
      headers,
      body: init.body,
      signal: init.signal
    })
    return { status: response.statusCode, ok: response.statusCode < 300, json: () => response.body.json() }
  }) as unknown as typeof fetch
