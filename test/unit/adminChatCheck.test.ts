import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import type { ChatFullInfo, ChatMember } from "grammy/types"

import { startupFailureLine } from "../../src/config/startupFailure.js"
import { checkManagersChats, refusalOf } from "../../src/managers/checkManagersChats.js"
import { ManagersChats } from "../../src/managers/ManagersChats.js"
import {
  ADMIN,
  noPerBrand,
  perBrandOf,
  recordingTelegram,
  testConfig,
  testConfigWith,
  testProfiles
} from "../support/testLayers.js"

const check = (telegram: ReturnType<typeof recordingTelegram>, config = testConfig) =>
  Effect.exit(
    checkManagersChats.pipe(
      Effect.provide(
        ManagersChats.Default.pipe(Layer.provideMerge(Layer.mergeAll(telegram.layer, config, testProfiles)))
      )
    )
  )

/** CG and express with chats of their own (express's the same as ADMIN_CHAT_ID), agency on ADMIN_CHAT_ID. */
const CG_CHAT = -100600
const perBrand = testConfigWith({
  perBrand: { ...noPerBrand, ADMIN_CHAT_ID: perBrandOf("ADMIN_CHAT_ID", { cg: CG_CHAT, express: ADMIN }) }
})

const group = { id: ADMIN, type: "supergroup", title: "Managers" } as ChatFullInfo
const channel = { id: ADMIN, type: "channel", title: "Leads" } as ChatFullInfo
const member = (status: ChatMember["status"], rights: object = {}) => ({ status, user: {}, ...rights }) as ChatMember

describe("the admin chat, checked at start", () => {
  it.effect("a group the bot is in passes; getChat and getChatMember asked once each", () =>
    Effect.gen(function*() {
      const telegram = recordingTelegram()
      expect(Exit.isSuccess(yield* check(telegram))).toBe(true)
      expect(telegram.calls.map((c) => c.method)).toEqual(["getChat", "getChatMember"])
    }))

  it.effect.each(
    [
      [400, "Bad Request: chat not found"],
      [403, "Forbidden: bot was kicked from the supergroup chat"]
    ] as const
  )("Telegram answers %i → one line naming ADMIN_CHAT_ID", ([code, description]) =>
    Effect.gen(function*() {
      const telegram = recordingTelegram((
        call
      ) => (call.method === "getChat" ? { error_code: code, description } : undefined))
      const exit = yield* check(telegram)
      if (Exit.isSuccess(exit)) return expect.fail("the check passed")
      const line = startupFailureLine(exit.cause)
      expect(line).toMatch(new RegExp(`^Cannot start: ADMIN_CHAT_ID=${ADMIN}: Telegram says "${description}"`))
      expect(line).not.toContain("\n")
    }))

  it.effect("every managers' chat is checked once; a bad per-brand one is named by its variable", () =>
    Effect.gen(function*() {
      const fine = recordingTelegram()
      expect(Exit.isSuccess(yield* check(fine, perBrand))).toBe(true)
      expect(fine.calls.map((c) => `${c.method} ${c.payload.chat_id}`).sort()).toEqual([
        `getChat ${ADMIN}`,
        `getChat ${CG_CHAT}`,
        `getChatMember ${ADMIN}`,
        `getChatMember ${CG_CHAT}`
      ])
      const cgGone = recordingTelegram((call) =>
        call.method === "getChat" && call.payload.chat_id === CG_CHAT
          ? { error_code: 400, description: "Bad Request: chat not found" }
          : undefined
      )
      const exit = yield* check(cgGone, perBrand)
      if (Exit.isSuccess(exit)) return expect.fail("the check passed")
      expect(startupFailureLine(exit.cause)).toMatch(
        new RegExp(`^Cannot start: ADMIN_CHAT_ID_CG=${CG_CHAT}: Telegram says "Bad Request: chat not found"`)
      )
    }))

  it("who may post: refused when the bot left, was removed, is muted, or is a channel's non-posting member", () => {
    expect(refusalOf(group, member("member"))).toBeUndefined()
    expect(refusalOf(group, member("administrator"))).toBeUndefined()
    expect(refusalOf(group, member("restricted", { can_send_messages: true }))).toBeUndefined()
    expect(refusalOf(channel, member("administrator", { can_post_messages: true }))).toBeUndefined()
    expect(refusalOf({ id: 5, type: "private" } as ChatFullInfo, undefined)).toBeUndefined()
    expect(refusalOf(group, member("left"))).toMatch(/not a member/)
    expect(refusalOf(group, member("kicked"))).toMatch(/removed/)
    expect(refusalOf(group, member("restricted", { can_send_messages: false }))).toMatch(/may not send/)
    expect(refusalOf(channel, member("member"))).toMatch(/administrator/)
    expect(refusalOf(channel, member("administrator", { can_post_messages: false }))).toMatch(/may not post/)
  })

  it("a forum: the bot must be an administrator that may manage topics (or the owner)", () => {
    const forum = { ...group, is_forum: true } as ChatFullInfo
    expect(refusalOf(forum, member("administrator", { can_manage_topics: true }))).toBeUndefined()
    expect(refusalOf(forum, member("creator"))).toBeUndefined()
    expect(refusalOf(forum, member("administrator", { can_manage_topics: false }))).toMatch(
      /the chat is a forum: the bot must be an administrator allowed to manage topics \(can_manage_topics\)/
    )
    expect(refusalOf(forum, member("member"))).toMatch(/can_manage_topics/)
  })
})
