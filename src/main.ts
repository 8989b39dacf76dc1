import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"

import { AppLive } from "./app.js"
import { startupFailureLine } from "./config/startupFailure.js"

if (existsSync(".env")) process.loadEnvFile(".env")

Layer.launch(AppLive).pipe(
  Effect.tapErrorCause((cause) => Effect.sync(() => console.error(startupFailureLine(cause)))),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
