import { Cause, ConfigError, Option } from "effect"

/** One line for an operator, no stack trace: which variable, which file, which path. */
export const startupFailureLine = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (ConfigError.isConfigError(error)) return `Cannot start: configuration: ${String(error).replace(/^\(|\)$/g, "")}`
    if (error instanceof Error) return `Cannot start: ${error.message}`
    return `Cannot start: ${String(error)}`
  }
  const defect = Cause.squash(cause)
  return `Cannot start: ${defect instanceof Error ? defect.message : String(defect)}`
}
