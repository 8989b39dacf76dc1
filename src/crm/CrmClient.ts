import { Context, type Effect, type Redacted } from "effect"

import type { CrmError } from "./CrmError.js"
import type { CrmPayload } from "./CrmPayload.js"

/** Delivers one lead to a brand's CRM webhook. Every failure is one of the five `CrmError`s. */
export class CrmClient extends Context.Tag("CrmClient")<
  CrmClient,
  {
    readonly send: (
      webhookUrl: Redacted.Redacted<string>,
      payload: CrmPayload
    ) => Effect.Effect<void, CrmError>
  }
>() {}
