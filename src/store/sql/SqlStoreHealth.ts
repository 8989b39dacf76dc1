import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"

import { StoreHealth } from "../StoreHealth.js"
import { storeOp } from "./rows.js"

export const SqlStoreHealth = Layer.effect(
  StoreHealth,
  Effect.map(
    SqlClient.SqlClient,
    (sql) => StoreHealth.of({ check: sql`SELECT 1`.pipe(Effect.asVoid, storeOp("check")) })
  )
)
