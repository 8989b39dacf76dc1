import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import * as https from "node:https"
import { Agent } from "undici"

/**
 * Outgoing connections are kept alive and capped: a burst of taps then reuses a few warm connections instead
 * of opening (and handshaking) one per request. Requests beyond the cap wait briefly for a free connection.
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 32

/** For the Bot API (grammY's node-fetch): a keep-alive agent with the cap, for the URL's protocol. */
export const pooledAgent = (url: string): http.Agent => {
  const options = { keepAlive: true, maxSockets: MAX_CONNECTIONS_PER_ORIGIN }
  return url.startsWith("https:") ? new https.Agent(options) : new http.Agent(options)
}

/**
 * For the CRM: `@effect/platform`'s HttpClient on undici, with the cap. Measured against node:http (the
 * default NodeHttpClient) and fetch: about a third of their CPU per request (BENCHMARKS.md).
 */
export const PooledHttpClient = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
  Layer.provide(Layer.scoped(
    NodeHttpClient.Dispatcher,
    Effect.acquireRelease(
      Effect.sync(() => new Agent({ connections: MAX_CONNECTIONS_PER_ORIGIN })),
      (agent) => Effect.promise(() => agent.destroy())
    )
  ))
)
