import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"

import { AppLive } from "./app.js"
import { environmentProvider } from "./config/environment.js"
import { reportStartupFailure, reportStoppedDuringStartup } from "./config/startupFailure.js"
import { withRuntimeCounters } from "./metrics/runtimeCounters.js"
import { oneStopPerSignal } from "./stopSignals.js"

if (existsSync(".env")) process.loadEnvFile(".env")

// The same graceful stop however a signal arrives (once, or twice: the bot's copy and npm's forward).
oneStopPerSignal()

// Layer.launch, with a start-up that a signal ends told apart from a running bot's stop (said last, once the parts
// that had started have stopped).
let started = false
Layer.build(AppLive).pipe(
  Effect.tap(() => (started = true)),
  Effect.zipRight(Effect.never),
  Effect.scoped,
  Effect.onInterrupt(() => (started ? Effect.void : reportStoppedDuringStartup)),
  Effect.tapErrorCause((cause) => reportStartupFailure(cause)),
  // The settings: the environment (with .env), its names' case kept.
  Effect.withConfigProvider(environmentProvider()),
  withRuntimeCounters,
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
