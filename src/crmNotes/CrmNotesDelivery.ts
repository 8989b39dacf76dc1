import { Clock, Duration, Effect, Option } from "effect"

import { Attempts } from "../concurrency/Attempts.js"
import { retryDelayMillis } from "../concurrency/backoff.js"
import { makeDueWorker } from "../concurrency/DueWorker.js"
import { PeopleFirst } from "../concurrency/PeopleFirst.js"
import { AppConfig } from "../config/AppConfig.js"
import { Crm } from "../crm/Crm.js"
import { type CrmError, logLine } from "../crm/CrmError.js"
import { crmName, type NativeCrmTarget, takesNotes } from "../crm/CrmTarget.js"
import type { PendingCrmNote } from "../lead/CrmNote.js"
import { type CrmRef, describeRef } from "../lead/CrmRef.js"
import { Profiles } from "../profiles/Profiles.js"
import { CrmNotes } from "../store/CrmNotes.js"
import { LeadStore } from "../store/LeadStore.js"
import { Transactor } from "../store/Transactor.js"

/** Where a lead's notes go: its brand's native CRM, when that is the CRM that holds the lead. */
interface NotesPlace {
  readonly target: NativeCrmTarget
  readonly ref: CrmRef
  /** `amoCRM of agency`, for the operator's lines. */
  readonly name: string
}

/** A note the CRM keeps failing (a 500 its own text causes, say) is set aside after this, not retried forever. */
const GIVE_UP_AFTER = Duration.hours(24)

/**
 * The notes' outbox to the CRMs: each lead's notes in the order they came, one process at a time per lead (its
 * lease). A note the CRM refuses for good (a client error: the operator's to fix) is set aside with one log line;
 * any other failure is retried with the delivery backoff, the lead's later notes waiting behind it.
 */
export class CrmNotesDelivery extends Effect.Service<CrmNotesDelivery>()("CrmNotesDelivery", {
  scoped: Effect.gen(function*() {
    const crm = yield* Crm
    const notes = yield* CrmNotes
    const leads = yield* LeadStore
    const profiles = yield* Profiles
    const attempts = yield* Attempts
    const { promptly } = yield* Transactor

    /** The lead's CRM and ref; none when the lead is gone or its brand's CRM is no longer the one that has it. */
    const placeOf = (leadId: string) =>
      Effect.map(
        leads.get(leadId),
        (record) =>
          Option.flatMap(record, ({ crm: { ref }, lead }) =>
            Option.flatMap(
              Option.flatMap(profiles.get(lead.profile), (p) => p.crm),
              (target) =>
                takesNotes(target) && Option.exists(ref, (r) => r._tag === target._tag)
                  ? Option.map(
                    ref,
                    (r): NotesPlace => ({ target, ref: r, name: `${crmName(target)} of ${lead.profile}` })
                  )
                  : Option.none()
            ))
      )

    const sendOne = ({ ref, target }: NotesPlace, note: PendingCrmNote): Effect.Effect<void, CrmError> =>
      note.kind === "phone"
        ? crm.updatePhone(target, ref, note.text)
        : crm.addNote(target, ref, { key: note.key, text: note.text })

    /** One try at one note; false when it is to be tried again later (the lead's next ones wait). */
    const sendOnce = (place: NotesPlace, note: PendingCrmNote) =>
      attempts.one(sendOne(place, note)).pipe(
        Effect.matchEffect({
          onSuccess: () =>
            promptly(notes.settle(note.leadId, note.key, "sent")).pipe(
              Effect.zipRight(Effect.logInfo(`note ${note.key} on ${describeRef(place.ref)}`)),
              Effect.as(true)
            ),
          onFailure: (e) =>
            Effect.gen(function*() {
              const now = yield* Clock.currentTimeMillis
              // A request the CRM refuses is set aside at once; a refused token keeps the notes for its fix.
              const refused = e._tag === "CrmClientError" && e.credentials !== true
              if (refused || now - note.createdAt > Duration.toMillis(GIVE_UP_AFTER)) {
                yield* promptly(notes.settle(note.leadId, note.key, "refused"))
                yield* Effect.logError(`${place.name} refused note ${note.key}, set aside: ${logLine(e)}`)
                return true
              }
              yield* Effect.logWarning(`${place.name}: note ${note.key} not there yet, will retry: ${logLine(e)}`)
              yield* promptly(notes.retryLater(note.leadId, note.key, now + (yield* retryDelayMillis(note.retries))))
              return false
            })
        })
      )

    const process = Effect.fn("CrmNotesDelivery.process")(function*(leadId: string) {
      const pending = yield* notes.pendingOf(leadId)
      const place = yield* placeOf(leadId)
      if (Option.isNone(place)) {
        // Nowhere to go any more (the brand's CRM changed): set aside, said once each, not retried forever.
        for (const note of pending) yield* promptly(notes.settle(leadId, note.key, "refused"))
        if (pending.length > 0) yield* Effect.logWarning(`${pending.length} note(s) set aside: the lead's CRM is gone`)
        return
      }
      for (const note of pending) {
        if (Option.isSome(note.dueAt) && note.dueAt.value > (yield* Clock.currentTimeMillis)) return
        if (!(yield* sendOnce(place.value, note))) return
      }
    }, (effect, leadId) =>
      effect.pipe(
        Effect.catchAll((e) => Effect.logWarning(`CRM notes paused: ${e.message}`)),
        Effect.annotateLogs({ lead: leadId })
      ))

    const worker = yield* makeDueWorker({
      kind: "crm_note",
      leaseMillis: (yield* AppConfig).deliveryLeaseSeconds * 1000,
      due: notes.leadsDue,
      process,
      beforeStop: attempts.drain
    })
    return { awaitIdle: worker.awaitIdle } as const
  }),
  dependencies: [Attempts.Default, PeopleFirst.Default]
}) {}
