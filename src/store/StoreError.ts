import { Data } from "effect"

/** The store could not read or write. The lead is not lost: the caller retries or the update is redelivered. */
export class StoreError
  extends Data.TaggedError("StoreError")<{ readonly operation: string; readonly cause: unknown }>
{}
