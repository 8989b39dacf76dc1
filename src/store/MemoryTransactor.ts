import { Layer } from "effect"

import { Transactor } from "./Transactor.js"

/** In memory there is nothing to roll back to: the writes simply run in order. */
export const MemoryTransactor = Layer.succeed(
  Transactor,
  Transactor.of({ atomically: (effect) => effect, promptly: (effect) => effect })
)
