import type { Option } from "effect"

/** The person behind a lead, as Telegram told us. `username` has no "@"; many people have none. */
export interface Contact {
  readonly telegramId: number
  readonly fullName: string
  readonly username: Option.Option<string>
}

/** A tap on a service button: recorded before the person is answered, delivered in the background. */
export interface Lead {
  readonly id: string
  readonly profile: string
  readonly brandName: string
  readonly serviceId: string
  readonly title: string
  readonly contact: Contact
  readonly createdAt: number
  /** The callback query (the tap) that created it: a replay of that update after a crash finds this lead. */
  readonly tapId: string
}

/** Where a lead reached a human. Absent while it is still pending. */
export type Outcome =
  | { readonly _tag: "Crm" }
  | { readonly _tag: "Fallback"; readonly messageId: number; readonly html: string }

/** A lead that reached the admin chat: the message managers see, and its original text. */
export type FallbackOutcome = Extract<Outcome, { _tag: "Fallback" }>

/** A manager pressed "✅ Внесено в CRM" on the fallback message: who, and when. */
export interface Handled {
  readonly by: string
  readonly at: number
}

/** One failed try at reaching a human: the error's tag and when. */
export interface DeliveryAttempt {
  readonly at: number
  readonly error: string
}

/** A lead as the outbox holds it: where it stands on its way to a human. */
export interface LeadRecord {
  readonly lead: Lead
  readonly outcome: Option.Option<Outcome>
  readonly attempts: ReadonlyArray<DeliveryAttempt>
  readonly handled: Option.Option<Handled>
  /** The manager's mark is shown on the fallback message. */
  readonly handledShown: boolean
  readonly work: LeadWork
}

/** What delivery still owes a lead: due (a human, follow-ups, a mark to show) while `dueAt` is set. */
export interface LeadWork {
  readonly dueAt: Option.Option<number>
  /** Failed attempts in a row: the backoff's step. */
  readonly retries: number
  /** How often work was added to it (a follow-up, a manager's mark): settling checks that none came meanwhile. */
  readonly wakes: number
}

/** Something the person sent after their lead: text, or media (copied to the admin chat) with its caption. */
export interface FollowUp {
  readonly leadId: string
  readonly seq: number
  readonly chatId: number
  readonly messageId: number
  readonly media: Option.Option<"photo" | "document" | "video" | "voice">
  readonly text: string
}

/** How an applied follow-up reached the managers; only edits are part of the fallback message's text. */
export type AppliedVia = "edit" | "message"
