import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

describe("npm run demo", () => {
  it("plays the seed's scenarios against the stand-ins with no token and exits 0", async () => {
    const { stdout } = await promisify(execFile)("npm", ["run", "demo", "--silent"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      timeout: 90_000
    })
    expect(stdout).toContain("accepted /api/webhook/agency/…")
    expect(stdout).toContain("accepted /api/webhook/cg/…")
    expect(stdout).toContain("accepted /api/webhook/express/…")
    expect(stdout).toContain("(message edited)")
    expect(stdout).toContain("Сообщение: https://boss.example")
    expect(stdout).toMatch(/🤖 →👤 Здравствуйте! Посмотрим ваш сайт и вернёмся с планом сегодня\./)
    expect(stdout).toContain("👍 on Ольга's message: the person has it")
    expect(stdout).toContain("Причина: CRM не ответила вовремя — лид может уже быть в CRM")
    expect(stdout).toContain("leads in the CRM: 3; fallback messages in the admin chat: 2")
    expect(stdout).not.toContain("secret-test-token")
  }, 120_000)
})
