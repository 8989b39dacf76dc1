import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { Agent } from "undici"

/**
 * Outgoing connections are kept alive and capped: a burst of taps then reuses a few warm connections instead
 * of opening (and handshaking) one per request. Requests beyond the cap wait briefly for a free connection.
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 32

/** One undici pool for every outgoing request: the Bot API (grammY) and the CRMs. */
export const DispatcherLive = Layer.scoped(
  NodeHttpClient.Dispatcher,
  Effect.acquireRelease(
    Effect.sync(() => new Agent({ connections: MAX_CONNECTIONS_PER_ORIGIN })),
    (agent) => Effect.promise(() => agent.destroy())
  )
)
