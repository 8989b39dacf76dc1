import { SqlClient, SqlSchema } from "@effect/sql"
import { Effect, Layer, Option, Schema } from "effect"

import { outcomeKinds } from "../../lead/Lead.js"
import { Stats } from "../Stats.js"
import { storeOp } from "./rows.js"

const Scope = Schema.Literal("brand", "campaign")

const LeadTallyRow = Schema.Struct({
  profile: Schema.String,
  campaign: Schema.NullOr(Schema.String),
  scope: Scope,
  leads: Schema.Number,
  crm: Schema.Number,
  fallback: Schema.Number,
  pending: Schema.Number,
  /** The one or two middle waits of the answered leads (their mean is the median); null when none. */
  low: Schema.NullOr(Schema.Number),
  high: Schema.NullOr(Schema.Number)
})

const OpenerTallyRow = Schema.Struct({
  brand: Schema.NullOr(Schema.String),
  campaign: Schema.NullOr(Schema.String),
  scope: Scope,
  people: Schema.Number,
  converted: Schema.Number
})

const SlotRow = Schema.Struct({ profile: Schema.String, slot: Schema.Number, leads: Schema.Number })

/**
 * `/stats` in SQL, each kind of number in one statement over `leads_created` / `start_events_at`. A brand's row and
 * its campaigns' rows come from one pass: each lead (or opener) counted at both levels (`scope`). A NULL campaign
 * is a group of its own, compared through COALESCE (a campaign is never empty).
 */
export const SqlStats = Layer.effect(
  Stats,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const leadTallies = SqlSchema.findAll({
      Request: Schema.Number,
      Result: LeadTallyRow,
      execute: (since) =>
        sql`WITH period AS (
              SELECT profile, campaign, outcome, first_reply_at - created_at AS wait FROM leads
              WHERE created_at >= ${since}
            ), levels AS (
              SELECT profile, campaign, 'campaign' AS scope, outcome, wait FROM period
              UNION ALL SELECT profile, NULL, 'brand', outcome, wait FROM period
            ), ranked AS (
              SELECT profile, campaign, scope, wait,
                ROW_NUMBER() OVER (PARTITION BY profile, campaign, scope ORDER BY wait) AS n,
                COUNT(*) OVER (PARTITION BY profile, campaign, scope) AS answered
              FROM levels WHERE wait IS NOT NULL
            ), middles AS (
              SELECT profile, campaign, scope, MIN(wait) AS low, MAX(wait) AS high FROM ranked
              WHERE n = (answered + 1) / 2 OR n = (answered + 2) / 2
              GROUP BY profile, campaign, scope
            ), counts AS (
              SELECT profile, campaign, scope, COUNT(*) AS leads,
                SUM(CASE WHEN outcome = ${outcomeKinds.Crm} THEN 1 ELSE 0 END) AS crm,
                SUM(CASE WHEN outcome = ${outcomeKinds.Fallback} THEN 1 ELSE 0 END) AS fallback,
                SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END) AS pending
              FROM levels GROUP BY profile, campaign, scope
            )
            SELECT c.profile, c.campaign, c.scope, c.leads, c.crm, c.fallback, c.pending, m.low, m.high
            FROM counts c LEFT JOIN middles m ON m.profile = c.profile AND m.scope = c.scope
              AND COALESCE(m.campaign, '') = COALESCE(c.campaign, '')
            ORDER BY c.profile, c.scope, c.campaign`
    })
    const openerTallies = SqlSchema.findAll({
      Request: Schema.Number,
      Result: OpenerTallyRow,
      execute: (since) =>
        sql`WITH period AS (
              SELECT DISTINCT telegram_id, brand, campaign FROM start_events WHERE at >= ${since}
            ), levels AS (
              SELECT telegram_id, brand, campaign, 'campaign' AS scope FROM period
              UNION ALL SELECT DISTINCT telegram_id, brand, NULL, 'brand' FROM period
            )
            SELECT brand, campaign, scope, COUNT(DISTINCT telegram_id) AS people,
              COUNT(DISTINCT CASE WHEN EXISTS (
                SELECT 1 FROM leads l WHERE l.telegram_id = levels.telegram_id AND l.profile = levels.brand
                  AND l.created_at >= ${since}
                  AND (levels.scope = 'brand' OR COALESCE(l.campaign, '') = COALESCE(levels.campaign, ''))
              ) THEN telegram_id END) AS converted
            FROM levels GROUP BY brand, campaign, scope`
    })
    const leadsPerSlot = SqlSchema.findAll({
      Request: Schema.Struct({ since: Schema.Number, slotMs: Schema.Number }),
      Result: SlotRow,
      execute: ({ since, slotMs }) =>
        sql`SELECT profile, CAST(created_at / CAST(${slotMs} AS BIGINT) AS BIGINT) AS slot, COUNT(*) AS leads
            FROM leads WHERE created_at >= ${since} GROUP BY 1, 2 ORDER BY 1, 2`
    })
    return Stats.of({
      leadTallies: (since) =>
        leadTallies(since).pipe(
          Effect.map((rows) =>
            rows.map((row) => ({
              brand: row.profile,
              campaign: Option.fromNullable(row.campaign),
              scope: row.scope,
              leads: row.leads,
              crm: row.crm,
              fallback: row.fallback,
              pending: row.pending,
              medianFirstReplyMs: row.low === null || row.high === null
                ? Option.none()
                : Option.some((row.low + row.high) / 2)
            }))
          ),
          storeOp("leadTallies")
        ),
      openerTallies: (since) =>
        openerTallies(since).pipe(
          Effect.map((rows) =>
            rows.map((row) => ({
              brand: Option.fromNullable(row.brand),
              campaign: Option.fromNullable(row.campaign),
              scope: row.scope,
              people: row.people,
              converted: row.converted
            }))
          ),
          storeOp("openerTallies")
        ),
      leadsPerSlot: (since, slotMs) =>
        leadsPerSlot({ since, slotMs }).pipe(
          Effect.map((rows) => rows.map((row) => ({ brand: row.profile, slot: row.slot, leads: row.leads }))),
          storeOp("leadsPerSlot")
        )
    })
  })
)
