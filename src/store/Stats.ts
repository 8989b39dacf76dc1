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
  /** Leads that got at least one reminder (nobody took or answered them in time). */
  reminded: Schema.Number,
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

/** A manager's work on the period's leads: how many they took, how many people they answered first, how fast. */
export const ManagerTally = Schema.Struct({
  managerId: Schema.Number,
  /** As the take line names them; none when they only answered (their name is in the relays, not the leads). */
  name: Schema.OptionFromSelf(Schema.String),
  taken: Schema.Number,
  /** People whose lead this manager answered first. */
  answered: Schema.Number,
  /** The median time from those leads to this manager's first message; none when they answered none. */
  medianFirstReplyMs: Schema.OptionFromSelf(Schema.Number)
})
export type ManagerTally = typeof ManagerTally.Type

/** Which leads a managers' chat counts: its brands, and (ADMIN_CHAT_ID's) those of brands not in `known`. */
export const BrandScope = Schema.Struct({
  brands: Schema.Array(Schema.String),
  others: Schema.Boolean,
  known: Schema.Array(Schema.String)
})
export type BrandScope = typeof BrandScope.Type

/** What `/stats` counts, each kind in one query over the period since `since`. */
export class Stats extends Context.Tag("Stats")<Stats, {
  readonly leadTallies: (since: number) => Effect.Effect<ReadonlyArray<LeadTally>, StoreError>
  readonly openerTallies: (since: number) => Effect.Effect<ReadonlyArray<OpenerTally>, StoreError>
  readonly leadsPerSlot: (since: number, slotMs: number) => Effect.Effect<ReadonlyArray<SlotCount>, StoreError>
  readonly managerTallies: (since: number, scope: BrandScope) => Effect.Effect<ReadonlyArray<ManagerTally>, StoreError>
}>() {}
