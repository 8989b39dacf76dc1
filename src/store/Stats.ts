import { Context, type Effect, Schema } from "effect"

import type { StoreError } from "./StoreError.js"

/**
 * What `/stats` counts, schema first: each type below is its schema's, and the SQL store's row codecs
 * (store/sql/SqlStats.ts) are built from these schemas.
 */

/** A row of `/stats` counts one brand as a whole, or one campaign within it (none: leads with no campaign). */
export const TallyScope = Schema.Literal("brand", "campaign")
export type TallyScope = typeof TallyScope.Type

/** Leads created in the period, of one brand or campaign. */
export const LeadTally = Schema.Struct({
  brand: Schema.String,
  campaign: Schema.OptionFromSelf(Schema.String),
  scope: TallyScope,
  leads: Schema.Number,
  crm: Schema.Number,
  fallback: Schema.Number,
  pending: Schema.Number,
  /** The median time from a lead to a manager's first message to its person; none when none was answered. */
  medianFirstReplyMs: Schema.OptionFromSelf(Schema.Number)
})
export type LeadTally = typeof LeadTally.Type

/**
 * Distinct people who sent `/start` for a brand (none: no brand of ours) or a campaign, and how many of them left a
 * lead there.
 */
export const OpenerTally = Schema.Struct({
  brand: Schema.OptionFromSelf(Schema.String),
  campaign: Schema.OptionFromSelf(Schema.String),
  scope: TallyScope,
  people: Schema.Number,
  converted: Schema.Number
})
export type OpenerTally = typeof OpenerTally.Type

/** Leads of a brand created in one slot of time (`createdAt / slotMs`, rounded down). */
export const SlotCount = Schema.Struct({
  brand: Schema.String,
  slot: Schema.Number,
  leads: Schema.Number
})
export type SlotCount = typeof SlotCount.Type

/** What `/stats` counts, each kind in one query over the period since `since`. */
export class Stats extends Context.Tag("Stats")<Stats, {
  readonly leadTallies: (since: number) => Effect.Effect<ReadonlyArray<LeadTally>, StoreError>
  readonly openerTallies: (since: number) => Effect.Effect<ReadonlyArray<OpenerTally>, StoreError>
  readonly leadsPerSlot: (since: number, slotMs: number) => Effect.Effect<ReadonlyArray<SlotCount>, StoreError>
}>() {}
