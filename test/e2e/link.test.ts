import { readFileSync } from "node:fs"
import { join } from "node:path"

import jsQR from "jsqr"
import { PNG } from "pngjs"
import { afterAll, describe, expect, it } from "vitest"

import { TelegramSim } from "../../sim/TelegramSim.js"
import { makeTempDir, removeTempDirs } from "../../sim/tempDirs.js"
import { localesFileWith } from "../support/locales.js"
import { runScript } from "../support/runScript.js"

afterAll(removeTempDirs)

/** `npm run link -- …` as a process (what the npm script runs), in a folder with no .env. */
const link = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runScript("link.ts", args, env)

describe("npm run link, as a command", () => {
  it("with BOT_TOKEN: the bot's name from Telegram; --qr writes a QR code that reads back as the link", async () => {
    const telegram = await TelegramSim.start()
    try {
      const qr = join(makeTempDir("link-qr"), "agency-vk.png")
      const made = await link(["agency", "vk_spring", "--qr", qr], {
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot
      })
      expect(made).toMatchObject({ code: 0, stderr: "" })
      expect(made.stdout.split("\n")).toEqual([`https://t.me/lead_test_bot?start=agency-vk_spring`, `QR code: ${qr}`])
      expect(telegram.calls.map((c) => c.method)).toEqual(["getMe"])
      const png = PNG.sync.read(readFileSync(qr))
      expect(png.width).toBeGreaterThanOrEqual(1000)
      const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
      expect(read?.data).toBe("https://t.me/lead_test_bot?start=agency-vk_spring")
    } finally {
      await telegram.close()
    }
  }, 60_000)

  it(
    "getMe failing (a wrong token): one line that says to check BOT_TOKEN or pass --bot; the token unprinted",
    async () => {
      const telegram = await TelegramSim.start()
      try {
        const made = await link(["agency"], { BOT_TOKEN: "999:wrong-secret", TELEGRAM_API_ROOT: telegram.apiRoot })
        expect(made).toMatchObject({ code: 1, stdout: "" })
        expect(made.stderr.split("\n")).toEqual([
          expect.stringMatching(
            /^link: BOT_TOKEN: Telegram did not say the bot's name \(.*401.*\): check BOT_TOKEN, or pass --bot <username> \(no token needed then\)$/
          )
        ])
        expect(made.stderr).not.toContain("wrong-secret")
      } finally {
        await telegram.close()
      }
    },
    30_000
  )

  it("with --bot and no token: the brand alone; no network", async () => {
    const made = await link(["cg", "--bot", "@monster_leads_bot"])
    expect(made).toEqual({ code: 0, stdout: "https://t.me/monster_leads_bot?start=cg", stderr: "" })
  }, 30_000)

  it(
    "refuses, in one line: a brand not in locales.json, a campaign outside the grammar, over 64 characters",
    async () => {
      const path = localesFileWith((j) => (j.profiles.agency_long_brand_name_x = j.profiles.agency!))
      const bot = ["--bot", "monster_leads_bot"]
      const refusals = await Promise.all([
        link(["agenci", ...bot]),
        link(["agency", "vk-spring", ...bot]),
        link(["agency_long_brand_name_x", "c".repeat(48), ...bot], { LOCALES_PATH: path }),
        link(["agency"]),
        link([])
      ])
      expect(refusals.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
        [1, "", "link: \"agenci\" is no brand of locales.json (its brands: agency, cg, express)"],
        [1, "", "link: campaign \"vk-spring\": expected 1-48 characters A-Z a-z 0-9 _ (no \"-\": it ends the brand)"],
        [1, "", `link: "agency_long_brand_name_x-${"c".repeat(48)}" is 73 characters: Telegram takes at most 64`],
        [1, "", "link: set BOT_TOKEN (the bot asks Telegram its name) or pass --bot <username>"],
        [1, "", "link: usage: npm run link -- <brand> [<campaign>] [--bot <username>] [--qr <file.png>]"]
      ])
    },
    60_000
  )
})
