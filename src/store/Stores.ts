import { Context, Effect, Layer } from "effect"

import { CrmNotes } from "./CrmNotes.js"
import { DatabaseLive } from "./DatabaseLive.js"
import { LeadStore } from "./LeadStore.js"
import { ExclusiveLeases } from "./Leases.js"
import { MemoryAdminMessages } from "./memory/MemoryAdminMessages.js"
import { MemoryConsents } from "./memory/MemoryConsents.js"
import { MemoryCrmNotes } from "./memory/MemoryCrmNotes.js"
import { MemoryErasures } from "./memory/MemoryErasures.js"
import { MemoryFollowUpState } from "./memory/MemoryFollowUpState.js"
import { MemoryInbox } from "./memory/MemoryInbox.js"
import { MemoryLeadStore } from "./memory/MemoryLeadStore.js"
import { MemoryRelays } from "./memory/MemoryRelays.js"
import { MemoryStartEvents } from "./memory/MemoryStartEvents.js"
import { MemoryStats } from "./memory/MemoryStats.js"
import { MemoryTopics } from "./memory/MemoryTopics.js"
import { MemoryTransactor } from "./memory/MemoryTransactor.js"
import { AlwaysLeader } from "./PollingLeader.js"
import { SqlAdminMessages } from "./sql/SqlAdminMessages.js"
import { SqlConsents } from "./sql/SqlConsents.js"
import { SqlCrmNotes } from "./sql/SqlCrmNotes.js"
import { SqlErasures } from "./sql/SqlErasures.js"
import { SqlFollowUpState } from "./sql/SqlFollowUpState.js"
import { SqlInbox } from "./sql/SqlInbox.js"
import { SqlLeadStore } from "./sql/SqlLeadStore.js"
import { SqlStoreLeases } from "./sql/SqlLeases.js"
import { SqlPollingLeader } from "./sql/SqlPollingLeader.js"
import { SqlRelays } from "./sql/SqlRelays.js"
import { SqlStartEvents } from "./sql/SqlStartEvents.js"
import { SqlStats } from "./sql/SqlStats.js"
import { SqlStoreHealth } from "./sql/SqlStoreHealth.js"
import { SqlTopics } from "./sql/SqlTopics.js"
import { SqlTransactor } from "./sql/SqlTransactor.js"
import { StartEvents } from "./StartEvents.js"
import { Stats } from "./Stats.js"
import { StoreHealth } from "./StoreHealth.js"

/** Every store port on an open database (a SqlClient): SQLite for one bot, PostgreSQL for replicas. */
export const SqlStores = Layer.mergeAll(
  SqlLeadStore,
  SqlFollowUpState,
  SqlInbox,
  SqlTransactor,
  SqlStoreHealth,
  SqlPollingLeader,
  SqlAdminMessages,
  SqlRelays,
  SqlTopics,
  SqlStartEvents,
  SqlStats,
  SqlConsents,
  SqlErasures,
  SqlCrmNotes
).pipe(Layer.provideMerge(SqlStoreLeases))

/** The bot's stores: on the database that DATABASE_URL (or DATA_DIR) chooses. */
export const StoresLive = SqlStores.pipe(Layer.provide(DatabaseLive))

/** The memory leads and /start events, the stats over both, the CRM notes (the tables they share stay inside). */
const MemoryLeadsAndStats = Layer.scopedContext(
  Layer.build(
    Layer.merge(MemoryStats, MemoryCrmNotes).pipe(Layer.provideMerge(Layer.merge(MemoryLeadStore, MemoryStartEvents)))
  ).pipe(
    Effect.map(Context.pick(LeadStore, StartEvents, Stats, CrmNotes))
  )
)

/**
 * Every store port in memory, for tests (and the benchmark's baseline): the same contract as the SQL stores
 * (test/unit/storeContract.test.ts), forgotten when the layer goes. Each build is a fresh, empty store.
 */
export const StoresTest = Layer.mergeAll(
  MemoryLeadsAndStats,
  MemoryFollowUpState,
  MemoryInbox,
  MemoryTransactor,
  MemoryAdminMessages,
  MemoryRelays,
  MemoryTopics,
  MemoryConsents,
  MemoryErasures,
  ExclusiveLeases,
  AlwaysLeader,
  Layer.succeed(StoreHealth, { check: Effect.void })
)
