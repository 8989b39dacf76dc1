import { Either, type ParseResult, Schema } from "effect"

import { CRM_MODE_NAMES } from "../sim/CrmSim.js"
import { formatParseError } from "../src/profiles/Profiles.js"
import { CRM_KINDS } from "./crms.js"

/** The bodies of the API's POST routes, each a schema that says what is wrong with one. */

const oneOf = <const K extends string>(what: string, keys: ReadonlyArray<K>) =>
  Schema.Unknown.pipe(
    Schema.filter((u): u is K => keys.includes(u as K), { message: () => `expected ${what}: ${keys.join(", ")}` })
  )
const Text = (limit: number) =>
  Schema.String.pipe(Schema.filter((t) => t.length <= limit || `at most ${limit} characters`))
const Filled = Text(4096).pipe(Schema.filter((t) => t.trim() !== "" || "expected a non-empty text"))
const MessageId = Schema.Number.pipe(Schema.int({ message: () => "expected a message id (a whole number)" }))
const ChatId = Schema.Number.pipe(Schema.int({ message: () => "expected a chat id (a whole number)" }))
const Where = { replyTo: Schema.optional(MessageId), thread: Schema.optional(MessageId), chat: Schema.optional(ChatId) }

export const Bodies = {
  "/api/person/send": Schema.Struct({ text: Filled }),
  "/api/person/send-photo": Schema.Struct({ text: Schema.optional(Text(1024)) }),
  "/api/person/contact": Schema.Struct({
    phone: Schema.optional(Schema.String.pipe(Schema.pattern(/^\+?\d{10,15}$/)))
  }),
  "/api/person/block": Schema.Struct({ blocked: Schema.Boolean }),
  "/api/manager/send": Schema.Struct({ text: Filled, ...Where }),
  "/api/manager/send-photo": Schema.Struct({ text: Schema.optional(Text(1024)), ...Where }),
  "/api/admin-forum": Schema.Struct({ forum: Schema.Boolean, topicRight: Schema.optional(Schema.Boolean) }),
  "/api/tap": Schema.Struct({
    chat: Schema.Union(Schema.Literal("person", "admin"), ChatId),
    messageId: MessageId,
    data: Schema.String
  }),
  "/api/crm": Schema.Struct({ mode: oneOf("a CRM mode", CRM_MODE_NAMES) }),
  // The brand is checked against the locales' brands by the route (they are known once the sandbox reads them).
  "/api/crm-kind": Schema.Struct({ brand: Schema.String, kind: oneOf("a CRM kind", CRM_KINDS) }),
  "/api/admin-fault": Schema.Struct({
    mode: oneOf("an admin chat mode", ["ok", "429", "500", "403"] as const)
  })
}
export type Path = keyof typeof Bodies
export type Body<P extends Path> = (typeof Bodies)[P]["Type"]

/** The body, decoded for its route: not JSON, not an object, a missing or unknown field are each a reason. */
export const decode = <P extends Path>(path: P, raw: string): Either.Either<Body<P>, string> => {
  let json: unknown
  try {
    json = raw.trim() === "" ? {} : JSON.parse(raw)
  } catch (error) {
    return Either.left(`the body is not JSON: ${(error as Error).message}`)
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return Either.left("expected a JSON object")
  const decoded = Schema.decodeUnknownEither(Bodies[path] as Schema.Schema<Body<P>>, { onExcessProperty: "error" })(
    json
  )
  return Either.mapLeft(decoded, (error: ParseResult.ParseError) => formatParseError(error))
}
