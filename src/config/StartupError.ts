import { Data } from "effect"

/** A reason the bot cannot start, worded as the one line an operator reads. */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}
