/**
 * How Telegram delivers updates to a webhook, for the stand-in: it POSTs the head of each queue (one per chat for
 * messages, one per user for button presses) with the secret header, sends that queue's next update only after a
 * 2xx, retries a non-2xx or a failed connection with a growing delay, and keeps at most `maxConnections` requests
 * open at once. Every attempt is kept for inspection.
 */

type Update = { readonly update_id: number } & Record<string, unknown>

export interface WebhookTarget {
  readonly url: string
  readonly secret: string | undefined
  readonly maxConnections: number
}

export interface WebhookAttempt {
  readonly updateId: number
  /** The HTTP status, or the connection error's code. */
  readonly outcome: number | string
  readonly at: number
}

const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 3_000

/** Telegram's queue for an update: its chat for messages, its sender for button presses. */
const queueOf = (update: Update): string => {
  const message = update.message as { chat?: { id?: number } } | undefined
  const query = update.callback_query as { from?: { id?: number } } | undefined
  if (message?.chat?.id !== undefined) return `chat ${message.chat.id}`
  if (query?.from?.id !== undefined) return `user ${query.from.id}`
  return `update ${update.update_id}`
}

export class WebhookPusher {
  private readonly queues = new Map<string, Array<Update>>()
  private readonly busy = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly controller = new AbortController()
  private open = 0
  private stopped = false

  constructor(
    readonly target: WebhookTarget,
    /** Every attempt, kept by the caller across webhooks set one after another. */
    private readonly attempts: Array<WebhookAttempt>,
    private readonly onChange: () => void
  ) {}

  push(update: Update): void {
    const key = queueOf(update)
    this.queues.set(key, [...(this.queues.get(key) ?? []), update])
    this.pump()
  }

  /** Updates not yet answered with a 2xx, in their queues' order. */
  get pending(): ReadonlyArray<Update> {
    return [...this.queues.values()].flat()
  }

  stop(): void {
    this.stopped = true
    this.controller.abort()
    for (const timer of this.timers) clearTimeout(timer)
  }

  private pump(): void {
    if (this.stopped) return
    for (const [key, queue] of this.queues) {
      if (this.open >= this.target.maxConnections) return
      if (this.busy.has(key) || queue.length === 0) continue
      this.busy.add(key)
      this.open++
      void this.deliver(key, queue[0]!, 0)
    }
  }

  private async deliver(key: string, update: Update, failures: number): Promise<void> {
    const outcome = await this.post(update)
    this.attempts.push({ updateId: update.update_id, outcome, at: Date.now() })
    this.onChange()
    if (this.stopped) return
    if (typeof outcome === "number" && outcome >= 200 && outcome < 300) {
      this.queues.get(key)!.shift()
      this.busy.delete(key)
      this.open--
      this.pump()
      return
    }
    // Not accepted: the same update again, later; its queue waits (the connection slot stays taken meanwhile).
    const delay = Math.min(FIRST_RETRY_MS * 2 ** failures, MAX_RETRY_MS)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void this.deliver(key, update, failures + 1)
    }, delay)
    this.timers.add(timer)
  }

  private async post(update: Update): Promise<number | string> {
    try {
      const response = await fetch(this.target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.target.secret === undefined ? {} : { "x-telegram-bot-api-secret-token": this.target.secret })
        },
        body: JSON.stringify(update),
        signal: this.controller.signal
      })
      await response.arrayBuffer()
      return response.status
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause
      return cause?.code ?? (error instanceof Error ? error.name : "failed")
    }
  }
}
