import { Effect, type Fiber, RuntimeFlags, RuntimeFlagsPatch, Supervisor, type Tracer } from "effect"

/** Where the counts are kept, for the benchmark's probe (scripts/bench-probe.mjs) to read in the bot's process. */
export const RUNTIME_COUNTS = Symbol.for("leadbot.runtimeCounts")

interface Counts {
  fibers: number
  operations: number
  /** Operations by the innermost span they ran in (its name): which step of a tap costs what. */
  bySpan: Record<string, number>
}

/** Counts each fiber started and each operation a fiber evaluates. */
class Counting extends Supervisor.AbstractSupervisor<void> {
  constructor(private readonly counts: Counts) {
    super()
  }
  value = Effect.void
  override onStart() {
    this.counts.fibers++
  }
  override onEffect(fiber: Fiber.RuntimeFiber<unknown, unknown>) {
    this.counts.operations++
    const span = (fiber as { currentSpan?: Tracer.AnySpan }).currentSpan
    const name = span === undefined ? "(no span)" : span._tag === "Span" ? span.name : "(external span)"
    this.counts.bySpan[name] = (this.counts.bySpan[name] ?? 0) + 1
  }
}

/**
 * With LEADBOT_COUNT_RUNTIME=1 (the benchmark's counted run), the program runs supervised by a counter of fibers and
 * operations: what a tap costs the Effect runtime. Off otherwise: supervising every operation slows each of them.
 */
export const withRuntimeCounters = <A, E, R>(program: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  if (process.env.LEADBOT_COUNT_RUNTIME !== "1") return program
  const counts: Counts = { fibers: 0, operations: 0, bySpan: {} }
  Object.assign(globalThis, { [RUNTIME_COUNTS]: counts })
  return program.pipe(
    Effect.supervised(new Counting(counts)),
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
  )
}
