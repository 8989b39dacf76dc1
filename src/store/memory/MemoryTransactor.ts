import { Layer } from "effect"

import { Transactor } from "../Transactor.js"
import { inUnit } from "./MemoryTable.js"

/** Units in memory: a failed unit's writes are taken back, as a SQL transaction's are rolled back. */
export const MemoryTransactor = Layer.succeed(Transactor, Transactor.of({ atomically: inUnit, promptly: inUnit }))
