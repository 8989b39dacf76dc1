import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import type { ChatFullInfo, ChatMember } from "grammy/types"

import { startupFailureLine } from "../../src/config/startupFailure.js"
import { checkAdminChat, refusalOf } from "../../src/managers/checkAdminChat.js"
import { ADMIN, recordingTelegram, testConfig } from "../support/testLayers.js"

const check = (telegram: ReturnType<typeof recordingTelegram>) =>
  Effect.exit(checkAdminChat.pipe(Effect.provide(Layer.merge(telegram.layer, testConfig))))

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
