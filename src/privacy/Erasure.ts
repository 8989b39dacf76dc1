import { Clock, Effect } from "effect"

import { AppConfig } from "../config/AppConfig.js"
import type { RequestedBy } from "../lead/Erasure.js"
import { nextId } from "../lead/Ids.js"
import { ManagersChats } from "../managers/ManagersChats.js"
import { AdminMessages } from "../store/AdminMessages.js"
import { Consents } from "../store/Consents.js"
import { CrmNotes } from "../store/CrmNotes.js"
import { Erasures } from "../store/Erasures.js"
import { FollowUpState } from "../store/FollowUpState.js"
import { Inbox } from "../store/Inbox.js"
import { LeadStore } from "../store/LeadStore.js"
import { Relays } from "../store/Relays.js"
import { StartEvents } from "../store/StartEvents.js"
import { Topics } from "../store/Topics.js"
import { Transactor } from "../store/Transactor.js"
import { erasureSteps } from "./erasureSteps.js"

/** What forgetting a person deleted, table by table, and the erasure that cleans the managers' chats. */
export interface Forgotten {
  readonly erasureId: string
  readonly leads: number
  readonly attempts: number
  readonly followUps: number
  readonly latestLead: number
  readonly relays: number
  readonly adminMessages: number
  readonly topics: number
  readonly starts: number
  readonly updates: number
  readonly consentsWithdrawn: number
}

/**
 * Forgets a person (152-FZ art. 21: their request, or the operator's on theirs): everything the store keeps about
 * them is deleted in one unit, their consents are withdrawn (the log keeps the accept and adds the withdrawal), and
 * the cleaning of the managers' chats is recorded with it as outgoing work (the erasure: the bot's messages about them
 * edited, their topics renamed, the managers told which leads were theirs). The bot carries it out
 * (ErasureDelivery), at once or at its next start.
 */
export class Erasure extends Effect.Service<Erasure>()("Erasure", {
  effect: Effect.gen(function*() {
    const followUps = yield* FollowUpState
    const leads = yield* LeadStore
    const relays = yield* Relays
    const topics = yield* Topics
    const adminMessages = yield* AdminMessages
    const starts = yield* StartEvents
    const inbox = yield* Inbox
    const consents = yield* Consents
    const erasures = yield* Erasures
    const crmNotes = yield* CrmNotes
    const chats = yield* ManagersChats
    const { atomically } = yield* Transactor
    const { adminChatId, adminTimeZone } = yield* AppConfig

    const erase = Effect.fn("Erasure.erase")(function*(telegramId: number, by: RequestedBy) {
      const at = yield* Clock.currentTimeMillis
      const erasureId = yield* nextId
      const forgotten = yield* atomically(Effect.gen(function*() {
        // Follow-ups and CRM notes before their leads (PostgreSQL's foreign keys).
        const ofFollowUps = yield* followUps.forgetPerson(telegramId)
        yield* crmNotes.forgetPerson(telegramId)
        const ofLeads = yield* leads.forgetPerson(telegramId)
        const messages = yield* adminMessages.forgetPerson(telegramId)
        const ofTopics = yield* topics.forgetPerson(telegramId)
        const forgotten: Forgotten = {
          erasureId,
          leads: ofLeads.leads.length,
          attempts: ofLeads.attempts,
          followUps: ofFollowUps.followUps,
          latestLead: ofFollowUps.latestLead,
          relays: yield* relays.forgetPerson(telegramId),
          adminMessages: messages.length,
          topics: ofTopics.length,
          starts: yield* starts.forgetPerson(telegramId),
          updates: yield* inbox.forgetPerson(telegramId),
          consentsWithdrawn: yield* consents.withdraw(telegramId, at)
        }
        yield* consents.dropStep(telegramId)
        const steps = erasureSteps({
          leads: ofLeads.leads,
          messages,
          topics: ofTopics,
          by,
          adminChatId,
          chatOf: (brand) => chats.of(brand).id,
          timeZone: adminTimeZone
        })
        yield* erasures.queue({ id: erasureId, by, createdAt: at, steps })
        return forgotten
      }))
      yield* Effect.logInfo(
        `a person's data deleted on request (${by}): ${forgotten.leads} leads, ${forgotten.adminMessages} managers' ` +
          `messages and ${forgotten.topics} topics to clean`
      ).pipe(Effect.annotateLogs({ erasure: erasureId }))
      return forgotten
    })

    return { erase } as const
  })
}) {}
