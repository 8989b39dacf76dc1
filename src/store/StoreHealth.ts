import { Context, type Effect } from "effect"

import type { StoreError } from "./StoreError.js"

/** Whether the store answers a query now (readiness). */
export class StoreHealth extends Context.Tag("StoreHealth")<
  StoreHealth,
  { readonly check: Effect.Effect<void, StoreError> }
>() {}
