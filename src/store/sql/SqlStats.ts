import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema, Struct } from "effect"

import { outcomeKinds } from "../../lead/Lead.js"
import { BrandScope, LeadTally, type ManagerTally, OpenerTally, SlotCount, Stats } from "../Stats.js"
import { column, decodeOnly, storeOp } from "./rows.js"

/**
 * A lead tally's row: the brand in `profile`, no campaign as NULL, and the one or two middle waits of the answered
 * leads (their mean is the median; NULL when none was answered).
 */
const LeadTallyRow = Schema.Struct({
  ...Struct.omit(LeadTally.fields, "brand", "campaign", "medianFirstReplyMs"),
  profile: LeadTally.fields.brand,
  campaign: Schema.NullOr(Schema.String),
  low: Schema.NullOr(Schema.Number),
  high: Schema.NullOr(Schema.Number)
})

const LeadTallyFromRow = decodeOnly(
  LeadTallyRow,
  ({ campaign, high, low, profile, ...counts }): LeadTally => ({
    ...counts,
    brand: profile,
    campaign: Option.fromNullable(campaign),
    medianFirstReplyMs: low === null || high === null ? Option.none() : Option.some((low + high) / 2)
  })
)

/** A manager tally's row: the middle waits of the leads they answered first (NULL: none). */
const ManagerTallyFromRow = decodeOnly(
  Schema.Struct({
    manager: Schema.Number,
    name: Schema.NullOr(Schema.String),
    taken: Schema.Number,
    answered: Schema.Number,
    low: Schema.NullOr(Schema.Number),
    high: Schema.NullOr(Schema.Number)
  }),
  ({ answered, high, low, manager, name, taken }): ManagerTally => ({
    managerId: manager,
    name: Option.fromNullable(name),
    taken,
    answered,
    medianFirstReplyMs: low === null || high === null ? Option.none() : Option.some((low + high) / 2)
  })
)

/** An opener tally's row: no brand, or no campaign, as NULL. */
const OpenerTallyFromRow = Schema.Struct({
  ...OpenerTally.fields,
  brand: Schema.OptionFromNullOr(Schema.String),
  campaign: Schema.OptionFromNullOr(Schema.String)
})

/** A slot's row: the brand in `profile`. */
const SlotCountFromRow = Schema.Struct({ ...SlotCount.fields, brand: column(SlotCount.fields.brand, "profile") })

/**
 * `/stats` in SQL, each kind of number in one statement, read from the covering indexes `leads_stats` and
 * `start_events_at`. A brand's row and its campaigns' rows come from the same statement (`scope`). A NULL campaign
 * is a group of its own, compared through COALESCE (a campaign is never empty).
 */
export const SqlStats = Layer.effect(
  Stats,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leadTallies = SqlSchema.findAll({
      Request: Schema.Number,
      Result: LeadTallyFromRow,
      execute: (since) =>
        sql`WITH period AS (
              SELECT profile, campaign, outcome, reconciled_at, reminders_sent, first_reply_at - created_at AS wait
              FROM leads
              WHERE created_at >= ${since}
            ), counts AS (
              SELECT profile, campaign, COUNT(*) AS leads,
                SUM(CASE WHEN reminders_sent > 0 THEN 1 ELSE 0 END) AS reminded,
                SUM(CASE WHEN outcome = ${outcomeKinds.Crm} OR reconciled_at IS NOT NULL THEN 1 ELSE 0 END) AS crm,
                SUM(CASE WHEN outcome = ${outcomeKinds.Fallback} AND reconciled_at IS NULL THEN 1 ELSE 0 END)
                  AS fallback,
                SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END) AS pending
              FROM period GROUP BY profile, campaign
            ), answered AS (
              SELECT profile, campaign, 'campaign' AS scope, wait FROM period WHERE wait IS NOT NULL
              UNION ALL SELECT profile, NULL, 'brand', wait FROM period WHERE wait IS NOT NULL
            ), ranked AS (
              SELECT profile, campaign, scope, wait,
                ROW_NUMBER() OVER (PARTITION BY profile, campaign, scope ORDER BY wait) AS n,
                COUNT(*) OVER (PARTITION BY profile, campaign, scope) AS answered
              FROM answered
            ), middles AS (
              SELECT profile, campaign, scope, MIN(wait) AS low, MAX(wait) AS high FROM ranked
              WHERE n = (answered + 1) / 2 OR n = (answered + 2) / 2
              GROUP BY profile, campaign, scope
            )
            SELECT c.profile, c.campaign, 'campaign' AS scope, c.leads, c.crm, c.fallback, c.pending, c.reminded,
              m.low, m.high
            FROM counts c LEFT JOIN middles m ON m.scope = 'campaign' AND m.profile = c.profile
              AND COALESCE(m.campaign, '') = COALESCE(c.campaign, '')
            UNION ALL
            SELECT c.profile, NULL, 'brand', CAST(SUM(c.leads) AS BIGINT), CAST(SUM(c.crm) AS BIGINT),
              CAST(SUM(c.fallback) AS BIGINT), CAST(SUM(c.pending) AS BIGINT), CAST(SUM(c.reminded) AS BIGINT), m.low,
              m.high
            FROM counts c LEFT JOIN middles m ON m.scope = 'brand' AND m.profile = c.profile
            GROUP BY c.profile, m.low, m.high`
    })
    // Distinct people per group, each marked converted when they left a lead there in the period: joins on the
    // distinct openers and tappers (no lookup per /start). PostgreSQL sums BIGINTs as NUMERIC: cast back.
    const openerTallies = SqlSchema.findAll({
      Request: Schema.Number,
      Result: OpenerTallyFromRow,
      execute: (since) =>
        sql`WITH opened AS (
              SELECT DISTINCT telegram_id, brand, campaign FROM start_events WHERE at >= ${since}
            ), tapped AS (
              SELECT DISTINCT telegram_id, profile, campaign FROM leads WHERE created_at >= ${since}
            ), opened_brand AS (
              SELECT DISTINCT telegram_id, brand FROM opened
            ), tapped_brand AS (
              SELECT DISTINCT telegram_id, profile FROM tapped
            )
            SELECT o.brand, o.campaign, 'campaign' AS scope, COUNT(*) AS people,
              SUM(CASE WHEN t.telegram_id IS NULL THEN 0 ELSE 1 END) AS converted
            FROM opened o LEFT JOIN tapped t ON t.telegram_id = o.telegram_id AND t.profile = o.brand
              AND COALESCE(t.campaign, '') = COALESCE(o.campaign, '')
            GROUP BY o.brand, o.campaign
            UNION ALL
            SELECT o.brand, NULL, 'brand', COUNT(*), SUM(CASE WHEN t.telegram_id IS NULL THEN 0 ELSE 1 END)
            FROM opened_brand o LEFT JOIN tapped_brand t ON t.telegram_id = o.telegram_id AND t.profile = o.brand
            GROUP BY o.brand`
    })
    const leadsPerSlot = SqlSchema.findAll({
      Request: Schema.Struct({ since: Schema.Number, slotMs: Schema.Number }),
      Result: SlotCountFromRow,
      execute: ({ since, slotMs }) =>
        sql`SELECT profile, CAST(created_at / CAST(${slotMs} AS BIGINT) AS BIGINT) AS slot, COUNT(*) AS leads
            FROM leads WHERE created_at >= ${since} GROUP BY 1, 2 ORDER BY 1, 2`
    })
    const inScope = ({ brands, known, others }: BrandScope) => {
      const among = (keys: ReadonlyArray<string>) => (keys.length === 0 ? sql`1 = 0` : sql.in("profile", keys))
      return others ? sql`(${among(brands)} OR NOT ${among(known)})` : among(brands)
    }
    // Per manager: the leads they took, and the leads they answered first with the one or two middle waits (the
    // median), from one pass over the period's leads in the chat's scope.
    const managerTallies = SqlSchema.findAll({
      Request: Schema.Struct({ since: Schema.Number, scope: BrandScope }),
      Result: ManagerTallyFromRow,
      execute: ({ scope, since }) =>
        sql`WITH scoped AS (
              SELECT taken_by_id, taken_by, first_reply_by, telegram_id, first_reply_at - created_at AS wait
              FROM leads WHERE created_at >= ${since} AND ${inScope(scope)}
            ), takes AS (
              SELECT taken_by_id AS manager, MAX(taken_by) AS name, COUNT(*) AS taken FROM scoped
              WHERE taken_by_id IS NOT NULL GROUP BY taken_by_id
            ), firsts AS (
              SELECT first_reply_by AS manager, COUNT(DISTINCT telegram_id) AS answered FROM scoped
              WHERE first_reply_by IS NOT NULL GROUP BY first_reply_by
            ), ranked AS (
              SELECT first_reply_by AS manager, wait,
                ROW_NUMBER() OVER (PARTITION BY first_reply_by ORDER BY wait) AS n,
                COUNT(*) OVER (PARTITION BY first_reply_by) AS total
              FROM scoped WHERE first_reply_by IS NOT NULL
            ), middles AS (
              SELECT manager, MIN(wait) AS low, MAX(wait) AS high FROM ranked
              WHERE n = (total + 1) / 2 OR n = (total + 2) / 2 GROUP BY manager
            ), managers AS (SELECT manager FROM takes UNION SELECT manager FROM firsts)
            SELECT m.manager, t.name, COALESCE(t.taken, 0) AS taken, COALESCE(f.answered, 0) AS answered, w.low, w.high
            FROM managers m LEFT JOIN takes t ON t.manager = m.manager LEFT JOIN firsts f ON f.manager = m.manager
              LEFT JOIN middles w ON w.manager = m.manager
            ORDER BY m.manager`
    })
    return Stats.of({
      managerTallies: (since, scope) => managerTallies({ since, scope }).pipe(storeOp("managerTallies")),
      leadTallies: (since) => leadTallies(since).pipe(storeOp("leadTallies")),
      openerTallies: (since) => openerTallies(since).pipe(storeOp("openerTallies")),
      leadsPerSlot: (since, slotMs) => leadsPerSlot({ since, slotMs }).pipe(storeOp("leadsPerSlot"))
    })
  })
)
