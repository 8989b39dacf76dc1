import { Option, Schema } from "effect"

import { CrmRef } from "./CrmRef.js"

/**
 * The domain, schema first: each type below is its schema's, and the store's row codecs (store/sql/rows.ts) are
 * built from these schemas, so every union is written here once.
 */

/** The person behind a lead, as Telegram told us. `username` has no "@"; many people have none. */
export const Contact = Schema.Struct({
  telegramId: Schema.Number,
  fullName: Schema.String,
  username: Schema.OptionFromSelf(Schema.String)
})
export type Contact = typeof Contact.Type

/** A tap on a service button: recorded before the person is answered, delivered in the background. */
export const Lead = Schema.Struct({
  id: Schema.String,
  profile: Schema.String,
  brandName: Schema.String,
  serviceId: Schema.String,
  title: Schema.String,
  contact: Contact,
  createdAt: Schema.Number,
  /** The callback query (the tap) that created it: a replay of that update after a crash finds this lead. */
  tapId: Schema.String,
  /** The campaign of the person's latest `/start` when they tapped (within CAMPAIGN_WINDOW_DAYS), kept with it. */
  campaign: Schema.OptionFromSelf(Schema.String)
})
export type Lead = typeof Lead.Type

/** The CRM took the lead. */
export const CrmOutcome = Schema.TaggedStruct("Crm", {})
/**
 * A lead that reached a managers' chat: the chat and the message managers see there, and its original text. The chat
 * is absent for a fallback posted before it was recorded, when ADMIN_CHAT_ID was the only managers' chat.
 */
export const FallbackOutcome = Schema.TaggedStruct("Fallback", {
  chatId: Schema.OptionFromSelf(Schema.Number),
  messageId: Schema.Number,
  html: Schema.String
})
export type FallbackOutcome = typeof FallbackOutcome.Type
/** The chat a fallback's message is in; one posted before chats were recorded is in ADMIN_CHAT_ID's. */
export const fallbackChatOf = (outcome: FallbackOutcome, adminChatId: number): number =>
  Option.getOrElse(outcome.chatId, () => adminChatId)
/** Where a lead reached a human. Absent while it is still pending. */
export const Outcome = Schema.Union(CrmOutcome, FallbackOutcome)
export type Outcome = typeof Outcome.Type

/** An outcome's kind as the store keeps it and the metrics count it (`via`). */
export const OutcomeKind = Schema.Literal("crm", "fallback")
export type OutcomeKind = typeof OutcomeKind.Type
export const outcomeKinds = { Crm: "crm", Fallback: "fallback" } as const satisfies Record<Outcome["_tag"], OutcomeKind>

/** A manager took the lead ("🙋 Беру", or their answer reached the person first): who, their Telegram id, when. */
export const Taken = Schema.Struct({ by: Schema.String, byId: Schema.Number, at: Schema.Number })
export type Taken = typeof Taken.Type

/** The reminders of a lead nobody took or answered: how many were sent, and when the next is due (none: no more). */
export const Reminders = Schema.Struct({ sent: Schema.Number, nextAt: Schema.OptionFromSelf(Schema.Number) })
export type Reminders = typeof Reminders.Type

/** A manager pressed "✅ Внесено в CRM" on the fallback message: who, and when. */
export const Handled = Schema.Struct({ by: Schema.String, at: Schema.Number })
export type Handled = typeof Handled.Type

/**
 * One round that reached no CRM: when, the CRM's error (its tag), and, when the fallback to the admin chat failed
 * too, that error (the lead then still waits for a human).
 */
export const DeliveryAttempt = Schema.Struct({
  at: Schema.Number,
  error: Schema.String,
  adminError: Schema.OptionFromSelf(Schema.String)
})
export type DeliveryAttempt = typeof DeliveryAttempt.Type

/** What delivery still owes a lead: due (a human, follow-ups, a mark to show) while `dueAt` is set. */
export const LeadWork = Schema.Struct({
  dueAt: Schema.OptionFromSelf(Schema.Number),
  /** Failed attempts in a row: the backoff's step. */
  retries: Schema.Number,
  /** How often work was added to it (a follow-up, a manager's mark): settling checks that none came meanwhile. */
  wakes: Schema.Number
})
export type LeadWork = typeof LeadWork.Type

/**
 * A fallback lead offered to its CRM again in the background (CRM_RECONCILE_HOURS): when next (none: not, or no
 * more), after how many failed tries in a row, and when the CRM took it (then its message says so once `shown`).
 */
export const Reconcile = Schema.Struct({
  dueAt: Schema.OptionFromSelf(Schema.Number),
  retries: Schema.Number,
  reconciledAt: Schema.OptionFromSelf(Schema.Number),
  shown: Schema.Boolean
})
export type Reconcile = typeof Reconcile.Type

/** A lead as the outbox holds it: where it stands on its way to a human. */
export const LeadRecord = Schema.Struct({
  lead: Lead,
  outcome: Schema.OptionFromSelf(Outcome),
  attempts: Schema.Array(DeliveryAttempt),
  handled: Schema.OptionFromSelf(Handled),
  /** The manager's mark is shown on the fallback message. */
  handledShown: Schema.Boolean,
  /** ADMIN_NOTIFY=all: the admin-chat card of a lead the CRM took, once posted. */
  card: Schema.OptionFromSelf(Schema.Number),
  taken: Schema.OptionFromSelf(Taken),
  /** Who took it is shown on its message (the fallback or the card). */
  takenShown: Schema.Boolean,
  reminders: Reminders,
  /** A manager's message has reached the lead's person. */
  answered: Schema.Boolean,
  /** Where the lead is in its CRM (when the CRM took it), and whether an attempt may have reached it unanswered. */
  crm: Schema.Struct({ ref: Schema.OptionFromSelf(CrmRef), maybeThere: Schema.Boolean }),
  reconcile: Reconcile,
  work: LeadWork
})
export type LeadRecord = typeof LeadRecord.Type

/** The kinds of media a follow-up may carry (copied to the admin chat). */
export const Media = Schema.Literal("photo", "document", "video", "voice")
export type Media = typeof Media.Type

/** Something the person sent after their lead: text, media with its caption, or their phone number. */
export const FollowUp = Schema.Struct({
  leadId: Schema.String,
  seq: Schema.Number,
  chatId: Schema.Number,
  messageId: Schema.Number,
  media: Schema.OptionFromSelf(Media),
  text: Schema.String,
  /** Their own phone number (a shared contact, or a text that is only a number): `text` holds it, `+` and digits. */
  phone: Schema.Boolean
})
export type FollowUp = typeof FollowUp.Type

/** How an applied follow-up reached the managers; only edits are part of the fallback message's text. */
export const AppliedVia = Schema.Literal("edit", "message")
export type AppliedVia = typeof AppliedVia.Type

/** What became of a manager's message to a person: they have it, or Telegram refused it for good. */
export const RelayOutcome = Schema.Literal("delivered", "refused")
export type RelayOutcome = typeof RelayOutcome.Type

/**
 * A manager's message in the admin chat, to be copied to the person it is about (outgoing work like a lead: recorded
 * before it is sent, sent once, retried with backoff, each person's in the order written).
 */
export const Relay = Schema.Struct({
  /** `<admin chat>:<message id>`: one relay a manager's message, however often its update is handled. */
  id: Schema.String,
  adminChatId: Schema.Number,
  adminMessageId: Schema.Number,
  /** The person; none when they were forgotten (their data deleted on request). */
  telegramId: Schema.OptionFromSelf(Schema.Number),
  /** The text or caption, for a signed copy; a message with media is copied as it is. */
  text: Schema.String,
  media: Schema.Boolean,
  /** The manager's first name, when RELAY_SIGNATURE=name. */
  signature: Schema.OptionFromSelf(Schema.String),
  /** Who wrote it: their Telegram id and name as the take line shows it (`Анна (@anna)`). */
  manager: Schema.OptionFromSelf(Schema.Struct({ id: Schema.Number, name: Schema.String })),
  /** A template's text (Telegram HTML), sent as the bot's message instead of a copy. */
  html: Schema.OptionFromSelf(Schema.String),
  /** The lead of the message it replies to; none: the person's latest (a message in their topic, an older relay). */
  leadId: Schema.OptionFromSelf(Schema.String),
  createdAt: Schema.Number,
  outcome: Schema.OptionFromSelf(RelayOutcome),
  dueAt: Schema.OptionFromSelf(Schema.Number),
  retries: Schema.Number
})
export type Relay = typeof Relay.Type

/** An admin-chat message about a person: a reply to it (or, later, a message in their topic) goes to them. */
export interface AdminMessage {
  readonly chatId: number
  readonly messageId: number
  readonly telegramId: number
  /** The lead it is about, when it is about one (a fallback, a card, a follow-up, a reminder). */
  readonly leadId?: string
}
