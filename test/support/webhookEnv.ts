import { freePort } from "../../sim/freePort.js"

export const WEBHOOK_SECRET = "test_webhook-Secret_123"
/** The route stands in for the unguessable path a real deployment uses. */
export const WEBHOOK_PATH = "/telegram/hook-path-9f3c"

/** A bot in webhook mode on a free loopback port: its environment, and where it listens. */
export const webhookEnv = async () => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  return {
    base,
    url: `${base}${WEBHOOK_PATH}`,
    // No drain at shutdown unless a test asks for one: a stop then takes no 5 s.
    env: {
      WEBHOOK_URL: `${base}${WEBHOOK_PATH}`,
      WEBHOOK_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      SHUTDOWN_DRAIN_SECONDS: "0"
    }
  }
}
