import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"

import { Crm } from "../../src/crm/Crm.js"
import { CrmLive } from "../../src/crm/CrmLive.js"
import { crmPayload } from "../../src/crm/CrmPayload.js"
import { DispatcherLive } from "../../src/http/connectionPool.js"
import type { Lead } from "../../src/lead/Lead.js"
import { testConfigWith } from "../support/testLayers.js"

const lead: Lead = {
  id: "lead-1",
  profile: "agency",
  brandName: "MONSTER AGENCY",
  serviceId: "clients",
  title: "Привлечь клиентов",
  contact: { telegramId: 501, fullName: "Galliard", username: Option.some("betterrman") },
  createdAt: 0,
  tapId: "q1",
  campaign: Option.none()
}
const payload = crmPayload(lead, {})

const config = (crmTimeoutMs: number) => testConfigWith({ crmTimeoutMs })

const deliver = (url: string) =>
  Effect.flatMap(
    Crm,
    (crm) =>
      crm.deliver({ _tag: "Webhook", url: Redacted.make(url), source: "CRM_WEBHOOK_URL_AGENCY" }, lead, {
        phone: Option.none(),
        followUps: [],
        utm: {}
      })
  )

const send = (url: string) => Effect.flip(deliver(url))

describe("the webhook CRM (TestClock)", () => {
  it.effect("no answer within CRM_TIMEOUT_MS → CrmTimeoutError, exactly at the limit", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(send("http://crm.test/hook"))
      yield* TestClock.adjust("9999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "CrmTimeoutError", timeoutMs: 10_000 })
    }).pipe(
      Effect.provide(CrmLive),
      // A pool that never answers (and is never asked to close).
      Effect.provide(Layer.succeed(NodeHttpClient.Dispatcher, { request: () => new Promise(() => {}) } as never)),
      Effect.provide(config(10_000))
    ))
})

describe("the webhook CRM live, against a real HTTP server on 127.0.0.1", () => {
  let server: Server
  let base = ""
  let closedPort = 0
  const received: Array<{ url: string; key: string | undefined; body: unknown }> = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c) => chunks.push(c))
      req.on("end", () => {
        received.push({
          url: req.url!,
          key: req.headers["idempotency-key"] as string,
          body: JSON.parse(Buffer.concat(chunks).toString())
        })
        if (req.url!.startsWith("/ok")) return void res.writeHead(201).end("{}")
        if (req.url!.startsWith("/fail")) {
          return void res.writeHead(500).end("Internal <b>Server</b> Error at /fail/secret-token")
        }
        if (req.url!.startsWith("/reset")) return void req.socket.destroy()
        // /hang: never answers
      })
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const spare = createServer()
    await new Promise<void>((r) => spare.listen(0, "127.0.0.1", r))
    closedPort = (spare.address() as AddressInfo).port
    await new Promise<void>((r) => spare.close(() => r()))
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })

  const live = Layer.provide(CrmLive, Layer.merge(DispatcherLive, config(500)))

  it.live("200/201/202 → success, with the payload and an Idempotency-Key", () =>
    deliver(`${base}/ok/secret-token`).pipe(
      Effect.andThen((ref) => {
        expect(ref).toEqual({ _tag: "Webhook" })
        const last = received[received.length - 1]!
        expect(last.key).toBe("lead-1")
        expect(last.body).toEqual(payload)
      }),
      Effect.provide(live)
    ))

  it.live("500 → CrmHttpStatusError with the status and a short body excerpt, no webhook path", () =>
    send(`${base}/fail/secret-token`).pipe(
      Effect.andThen((error) => {
        expect(error).toMatchObject({ _tag: "CrmHttpStatusError", status: 500 })
        expect(JSON.stringify(error)).not.toContain("secret-token")
      }),
      Effect.provide(live)
    ))

  it.live("a hang → CrmTimeoutError", () =>
    send(`${base}/hang/secret-token`).pipe(
      Effect.andThen((error) => expect(error).toMatchObject({ _tag: "CrmTimeoutError", timeoutMs: 500 })),
      Effect.provide(live)
    ))

  it.live("a closed port → CrmConnectionError", () =>
    send(`http://127.0.0.1:${closedPort}/hook/secret-token`).pipe(
      Effect.andThen((error) => {
        expect(error._tag).toBe("CrmConnectionError")
        expect(JSON.stringify(error)).not.toContain("secret-token")
      }),
      Effect.provide(live)
    ))

  it.live("a reset socket → CrmConnectionError", () =>
    send(`${base}/reset/secret-token`).pipe(
      Effect.andThen((error) => expect(error._tag).toBe("CrmConnectionError")),
      Effect.provide(live)
    ))

  it.live("an invalid URL → CrmClientError", () =>
    send("not a url/secret-token").pipe(
      Effect.andThen((error) => {
        expect(error._tag).toBe("CrmClientError")
        expect(JSON.stringify(error)).not.toContain("secret-token")
      }),
      Effect.provide(live)
    ))
})
