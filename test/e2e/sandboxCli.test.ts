import { execFileSync, spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

import { afterAll, beforeAll, describe, expect, it } from "vitest"

import { type Sandbox, startSandbox } from "../../sandbox/server.js"
import { makeTempDir } from "../../sim/tempDirs.js"
import { localesFileWith } from "../support/locales.js"
import { until } from "../support/until.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

/** scripts/sandbox.ts as `npm run sandbox` runs it (the bundle, built first): its exit code and output. */
const runSandbox = async (args: ReadonlyArray<string>) => {
  const loader = pathToFileURL(`${root}node_modules/tsx/dist/loader.mjs`).href
  const sandbox = spawn(process.execPath, ["--import", loader, `${root}scripts/sandbox.ts`, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let [stdout, stderr] = ["", ""]
  sandbox.stdout!.on("data", (d) => (stdout += d))
  sandbox.stderr!.on("data", (d) => (stderr += d))
  const timer = setTimeout(() => sandbox.kill("SIGKILL"), 40_000)
  const code = await new Promise<number | null>((resolve) => sandbox.on("exit", resolve))
  clearTimeout(timer)
  return { code, stdout, stderr: stderr.trim() }
}

const fileWith = (name: string, text: string) => {
  const path = join(makeTempDir("sandbox-settings"), name)
  writeFileSync(path, text)
  return path
}

describe("npm run sandbox, as a command", () => {
  beforeAll(() => void execFileSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root }), 60_000)

  it("a busy --port → exit 1 with one line naming --port; no bot is started", async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const { code, stderr } = await runSandbox(["--port", String(port)])
      expect(code).toBe(1)
      expect(stderr.split("\n")).toEqual([
        `Cannot start the sandbox: --port ${port} is in use (another sandbox?): ` +
        `choose another, e.g. npm run sandbox -- --port ${port + 1}`
      ])
    } finally {
      busy.close()
    }
  })

  it("a wrong --env or --locales file, or a setting the bot refuses → exit 1 with one line saying which", async () => {
    const badLocales = localesFileWith((json) => void (json.profiles.cg!.ask_phone = "yes" as unknown as boolean))
    const cases: Array<[Array<string>, string]> = [
      [["--env", "/nonexistent.env"], "--env /nonexistent.env: cannot read it (ENOENT)"],
      [["--env", fileWith("x.env", "ADMIN_NOTIFY=all\nhello there\n")], "line 2: expected NAME=value"],
      [["--locales", badLocales], `--locales ${badLocales}: profiles.cg.ask_phone: Expected boolean, actual "yes"`],
      // The bot's own line, as it refuses the value at start-up.
      [["--env", fileWith("a.env", "ADMIN_NOTIFY=everyone\n")], "the bot did not start: configuration: Invalid data"],
      [["--env", fileWith("b.env", "ADMIN_CHAT_ID_AGENSY=-100555\n")], "ADMIN_CHAT_ID_AGENSY: names no brand"]
    ]
    for (const [args, line] of cases) {
      const { code, stderr } = await runSandbox(["--port", "0", ...args])
      expect(code, args.join(" ")).toBe(1)
      expect(stderr.split("\n"), args.join(" ")).toHaveLength(1)
      expect(stderr).toMatch(/^Cannot start the sandbox: /)
      expect(stderr).toContain(line)
    }
  }, 120_000)
})

/** The sandbox's HTTP API: a POST, its status and JSON. */
const call = async (sandbox: Sandbox, path: string, body: unknown) => {
  const res = await fetch(new URL(path, sandbox.url), {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body)
  })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

interface StateMessage {
  id: number
  fromBot: boolean
  text: string
  photo: string | null
  aboutPerson: boolean
  buttons: Array<Array<{ text: string; data?: string; url?: string }>>
}
interface NativeLead {
  id: number
  title: string
  contact: string | null
  phones: Array<string>
  utm: Record<string, string>
  tags?: Array<string>
  source?: string | null
  notes: Array<string>
}
interface State {
  person: Array<StateMessage>
  personKeyboard: Array<Array<{ text: string; contact: boolean }>> | null
  chats: Array<{ id: number; variables: Array<string>; messages: Array<StateMessage> }>
  crm: Array<{ path: string; body: Record<string, unknown> }>
  bot: { stopped: string | null; restarts: Array<{ at: number; why: string }> }
  crmKinds: Record<string, string>
  nativeCrm: Record<"amocrm" | "bitrix24", Array<NativeLead>>
  popUps: { person: { id: string; text: string } | null }
  botLog: Array<string>
  settings: { env: Record<string, string>; campaigns: Array<string> }
}
const state = async (sandbox: Sandbox): Promise<State> =>
  (await fetch(new URL("/api/state", sandbox.url))).json() as Promise<State>
const eventually = <A>(sandbox: Sandbox, what: string, pick: (s: State) => A | undefined, ms = 15_000) =>
  until(what, async () => pick(await state(sandbox)), ms)

describe("the sandbox configured as production is (--env, --locales), through its HTTP API", () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    // The README's example: campaigns with UTM; and a brand's own managers' chat, every lead a card, signed replies.
    const locales = localesFileWith((json) => {
      json.campaigns = { vk_spring: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring" } }
      json.profiles.agency!.ask_phone = true
    })
    const env = fileWith(
      "sandbox.env",
      "# as in production's .env\nADMIN_NOTIFY=all\nRELAY_SIGNATURE=name\nADMIN_CHAT_ID_CG=-100888\n" +
        "BOT_TOKEN=1:real\n" +
        // A brand's CRM is the sandbox's (its switch): amoCRM's URL alone would stop the bot, or reach the real CRM.
        "AMOCRM_URL_AGENCY=https://agency.amocrm.ru\n"
    )
    sandbox = await startSandbox(0, { entry: "source", envFile: env, localesFile: locales })
  }, 60_000)
  afterAll(() => sandbox?.stop())

  it("refuses bad input with 400 and the reason, never a silent ok", async () => {
    const refusals: Array<[string, unknown, string]> = [
      ["/api/person/send", "{not json", "the body is not JSON"],
      ["/api/person/send", [1], "expected a JSON object"],
      ["/api/person/send", {}, "text: is missing"],
      ["/api/person/send", { text: "hi", replyto: 1 }, "replyto: is unexpected"],
      ["/api/tap", { chat: "person", messageId: 999, data: "x" }, "messageId: no message #999 of the bot"],
      ["/api/tap", { chat: "admin", messageId: 1.5, data: "x" }, "messageId: expected a message id"],
      ["/api/manager/send", { text: "hi", replyTo: 999 }, "replyTo: no message #999 in the managers' chat -100777"],
      ["/api/manager/send", { text: "hi", thread: 5 }, "thread: the managers' chat -100777 is not a forum"],
      ["/api/manager/send", { text: "hi", chat: -5 }, "chat: no managers' chat -5 (they are -100777, -100888)"],
      ["/api/crm", { mode: "timeout" }, "mode: expected a CRM mode: ok, 500, slow, hang, refused, reset"],
      ["/api/crm-kind", { brand: "agensy", kind: "amocrm" }, "brand: no brand \"agensy\" (they are agency, cg"],
      ["/api/crm-kind", { brand: "agency", kind: "crm" }, "kind: expected a CRM kind: webhook, amocrm, bitrix24"],
      ["/api/crm-kind", { kind: "amocrm" }, "brand: is missing"],
      ["/api/admin-fault", { mode: "404" }, "mode: expected an admin chat mode: ok, 429, 500, 403"],
      ["/api/admin-forum", { forum: "yes" }, "forum: Expected boolean"],
      ["/api/person/block", {}, "blocked: is missing"]
    ]
    for (const [path, body, reason] of refusals) {
      const reply = await call(sandbox, path, body)
      expect(reply, `${path} ${JSON.stringify(body)}`).toMatchObject({ status: 400 })
      expect(String(reply.body.error), `${path} ${JSON.stringify(body)}`).toContain(reason)
    }
    expect((await call(sandbox, "/api/nowhere", {})).status).toBe(404)
    // Nothing reached the stand-ins.
    expect((await state(sandbox)).person).toEqual([])
  })

  it("--env and --locales: a campaign's UTM, the phone button, a brand's chat, signed replies", async () => {
    expect((await state(sandbox)).settings).toMatchObject({
      env: { ADMIN_NOTIFY: "all", RELAY_SIGNATURE: "name", ADMIN_CHAT_ID_CG: "-100888" },
      campaigns: ["vk_spring"]
    })
    expect((await state(sandbox)).settings.env).not.toHaveProperty("BOT_TOKEN")
    expect([...sandbox.settings.replaced].sort()).toEqual(["AMOCRM_URL_AGENCY", "BOT_TOKEN"])

    await call(sandbox, "/api/person/send", { text: "/start agency-vk_spring" })
    const menu = await eventually(sandbox, "the menu", (s) => s.person.find((m) => m.buttons.length > 0))
    expect(await call(sandbox, "/api/tap", { chat: "person", messageId: menu.id, data: menu.buttons[0]![0]!.data }))
      .toMatchObject({ status: 200 })
    const lead = await eventually(sandbox, "the lead at the CRM", (s) => s.crm[0])
    // The same button again: its pop-up is in the state for a few seconds (as Telegram shows one), then gone.
    await call(sandbox, "/api/tap", { chat: "person", messageId: menu.id, data: menu.buttons[0]![0]!.data })
    const popUp = await eventually(sandbox, "the pop-up", (s) => s.popUps.person ?? undefined)
    expect(popUp.text).toBe("✅ Эта заявка уже принята.")
    await eventually(sandbox, "the pop-up gone", (s) => (s.popUps.person === null ? true : undefined), 8_000)
    expect(lead.body).toMatchObject({
      campaign: "vk_spring",
      utm: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring" }
    })
    // ask_phone: the phone button is a reply keyboard; pressing it shares the person's contact, then it is gone.
    const keyboard = await eventually(sandbox, "the phone button", (s) => s.personKeyboard ?? undefined)
    expect(keyboard).toEqual([[{ text: "📱 Отправить номер телефона", contact: true }]])
    expect((await call(sandbox, "/api/person/contact", {})).status).toBe(200)
    await eventually(sandbox, "the keyboard removed", (s) => (s.personKeyboard === null ? true : undefined))

    // ADMIN_NOTIFY=all: a card for the lead the CRM took, about the person; a reply to it is signed (RELAY_SIGNATURE).
    const card = await eventually(
      sandbox,
      "the card",
      (s) => s.chats[0]!.messages.find((m) => m.fromBot && m.aboutPerson && m.text.includes("Привлечь клиентов"))
    )
    await call(sandbox, "/api/manager/send", { text: "Здравствуйте!", replyTo: card.id })
    await eventually(sandbox, "the signed reply", (s) => s.person.find((m) => m.text === "Здравствуйте!\n— Менеджер"))

    // ADMIN_CHAT_ID_CG: the CG brand's leads in its own chat, which the sandbox made.
    await call(sandbox, "/api/person/send", { text: "/start cg" })
    const cgMenu = await eventually(
      sandbox,
      "the CG menu",
      (s) => s.person.find((m) => m.buttons.flat().some((b) => b.data?.startsWith("lead:cg:")))
    )
    await call(sandbox, "/api/tap", { chat: "person", messageId: cgMenu.id, data: cgMenu.buttons[0]![0]!.data })
    const cgChat = await eventually(sandbox, "the CG card", (s) => {
      const chat = s.chats.find((c) => c.id === -100888)
      return chat?.messages.some((m) => m.text.includes("MONSTER CG")) ? chat : undefined
    })
    expect(cgChat.variables).toEqual(["ADMIN_CHAT_ID_CG"])
  })

  it("/stats: its chart served as a picture; no reply on what concerns no person", async () => {
    await call(sandbox, "/api/manager/send", { text: "/stats" })
    const chart = await eventually(sandbox, "the chart", (s) => s.chats[0]!.messages.find((m) => m.photo !== null))
    const png = await fetch(new URL(chart.photo!, sandbox.url))
    expect(png.headers.get("content-type")).toBe("image/png")
    expect([...new Uint8Array(await png.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47])
    const answers = (await state(sandbox)).chats[0]!.messages.filter((m) => m.fromBot && m.id > chart.id - 2)
    expect(answers.map((m) => m.aboutPerson)).toEqual([false, false])
    expect((await fetch(new URL("/api/photo/-100777/999", sandbox.url))).status).toBe(404)
  })

  it("a forum without the topic right: the bot refuses to start in its line (409), the earlier log kept", async () => {
    const before = (await state(sandbox)).botLog
    const refused = await call(sandbox, "/api/admin-forum", { forum: true, topicRight: false })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatch(/^the bot did not start: ADMIN_CHAT_ID=-100777: the chat is a forum: .*topics/)
    const after = await state(sandbox)
    expect(after.bot.stopped).toMatch(/^ADMIN_CHAT_ID=-100777: the chat is a forum/)
    expect(after.botLog.slice(0, before.length)).toEqual(before)
    expect(after.botLog.at(-1)).toMatch(/^Cannot start: ADMIN_CHAT_ID=-100777/)

    expect((await call(sandbox, "/api/admin-forum", { forum: true })).status).toBe(200)
    expect((await state(sandbox)).bot.stopped).toBeNull()
  }, 60_000)

  it("agency on amoCRM, then Bitrix24: the bot restarts; the lead with its contact, phone and notes", async () => {
    /** The person opens the campaign's link, taps `service` in the newest menu and shares a phone after it. */
    const leadFrom = async (service: string, phone: string) => {
      const seen = Math.max(0, ...(await state(sandbox)).person.map((m) => m.id))
      await call(sandbox, "/api/person/send", { text: "/start agency-vk_spring" })
      const button = await eventually(
        sandbox,
        "the new menu",
        (s) =>
          s.person.filter((m) => m.id > seen).flatMap((m) => m.buttons.flat().map((b) => ({ m, b })))
            .find(({ b }) => b.text.includes(service))
      )
      expect(await call(sandbox, "/api/tap", { chat: "person", messageId: button.m.id, data: button.b.data }))
        .toMatchObject({ status: 200 })
      const confirmed = (s: State) => s.person.find((m) => m.id > seen && m.text.includes("Принято"))
      await eventually(sandbox, "the confirmation", confirmed)
      expect((await call(sandbox, "/api/person/contact", { phone })).status).toBe(200)
    }
    const switchTo = async (kind: string, why: string) => {
      const before = await state(sandbox)
      expect(await call(sandbox, "/api/crm-kind", { brand: "agency", kind })).toMatchObject({ status: 200 })
      const after = await state(sandbox)
      expect(after.bot).toMatchObject({ stopped: null, restarts: [...before.bot.restarts, { why }] })
      // The earlier runs' lines stay in the log.
      expect(after.botLog.slice(0, before.botLog.length)).toEqual(before.botLog)
      return after
    }

    const onAmo = await switchTo("amocrm", "agency on amoCRM")
    expect(onAmo.crmKinds).toEqual({ agency: "amocrm", cg: "webhook", express: "webhook" })
    const webhookLeads = onAmo.crm.length
    await leadFrom("Таргетированная реклама", "+79005550101")
    const amoLead = await eventually(
      sandbox,
      "the amoCRM lead with the phone on its contact",
      (s) => s.nativeCrm.amocrm.find((l) => l.phones.includes("+79005550101"))
    )
    expect(amoLead).toMatchObject({
      title: expect.stringMatching(/^MONSTER AGENCY: Таргетированная реклама/),
      contact: "Вы",
      utm: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring" },
      tags: ["agency", "vk_spring"]
    })
    expect(amoLead.notes[0]).toContain("Username: @sandbox_person")
    expect(amoLead.notes[0]).toContain("Услуга: Таргетированная реклама")

    const onBitrix = await switchTo("bitrix24", "agency on Bitrix24")
    expect(onBitrix.crmKinds).toEqual({ agency: "bitrix24", cg: "webhook", express: "webhook" })
    await leadFrom("SEO-продвижение", "+79005550202")
    const bitrixLead = await eventually(
      sandbox,
      "the Bitrix24 lead with the phone",
      (s) => s.nativeCrm.bitrix24.find((l) => l.phones.includes("+79005550202"))
    )
    expect(bitrixLead).toMatchObject({
      title: "MONSTER AGENCY: SEO-продвижение",
      contact: "Вы",
      utm: { utm_source: "vk", utm_medium: "cpc", utm_campaign: "spring" },
      source: "WEB"
    })
    expect(bitrixLead.notes[0]).toContain("Услуга: SEO-продвижение")
    expect(bitrixLead.notes[0]).toContain("Кампания: vk_spring")

    // Neither went to agency's webhook, nor the amoCRM lead to Bitrix24; back on the webhook, the switch is undone.
    const now = await state(sandbox)
    expect(now.crm).toHaveLength(webhookLeads)
    expect(now.nativeCrm.amocrm).toHaveLength(1)
    await switchTo("webhook", "agency on its webhook")
    expect((await state(sandbox)).crmKinds.agency).toBe("webhook")
  }, 90_000)
})
