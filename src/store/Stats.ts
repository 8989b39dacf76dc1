import { Context, type Effect, type Option } from "effect"

import type { StoreError } from "./StoreError.js"

/** A row of `/stats` counts one brand as a whole, or one campaign within it (none: leads with no campaign). */
export type TallyScope = "brand" | "campaign"

/** Leads created in the period, of one brand or campaign. */
export interface LeadTally {
  readonly brand: string
  readonly campaign: Option.Option<string>
  readonly scope: TallyScope
  readonly leads: number
  readonly crm: number
  readonly fallback: number
  readonly pending: number
  /** The median time from a lead to a manager's first message to its person; none when none was answered. */
  readonly medianFirstReplyMs: Option.Option<number>
}

/**
 * Distinct people who sent `/start` for a brand (none: no brand of ours) or a campaign, and how many of them left a
 * lead there.
 */
export interface OpenerTally {
  readonly brand: Option.Option<string>
  readonly campaign: Option.Option<string>
  readonly scope: TallyScope
  readonly people: number
  readonly converted: number
}

/** Leads of a brand created in one slot of time (`createdAt / slotMs`, rounded down). */
export interface SlotCount {
  readonly brand: string
  readonly slot: number
  readonly leads: number
}

/** What `/stats` counts, each kind in one query over the period since `since`. */
export class Stats extends Context.Tag("Stats")<Stats, {
  readonly leadTallies: (since: number) => Effect.Effect<ReadonlyArray<LeadTally>, StoreError>
  readonly openerTallies: (since: number) => Effect.Effect<ReadonlyArray<OpenerTally>, StoreError>
  readonly leadsPerSlot: (since: number, slotMs: number) => Effect.Effect<ReadonlyArray<SlotCount>, StoreError>
}>() {}
