import { existsSync } from "node:fs"

import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"

import { AppLive } from "./app.js"
import { reportStartupFailure } from "./config/startupFailure.js"

if (existsSync(".env")) process.loadEnvFile(".env")

Layer.launch(AppLive).pipe(
  Effect.tapErrorCause((cause) => reportStartupFailure(cause)),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
