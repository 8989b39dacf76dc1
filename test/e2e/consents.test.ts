import { join } from "node:path"

import { SqlClient } from "@effect/sql"
import { parse } from "csv-parse/sync"
import { Effect, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"

import { makeTempDir, removeTempDirs } from "../../sim/tempDirs.js"
import { Consents } from "../../src/store/Consents.js"
import { openDatabase } from "../../src/store/sqlite/Database.js"
import { SqlStores } from "../../src/store/Stores.js"
import { runScript } from "../support/runScript.js"

afterAll(removeTempDirs)

const consents = (dataDir: string, args: ReadonlyArray<string>) => runScript("consents.ts", args, { DATA_DIR: dataDir })

describe("npm run consents, the consent log for an audit", () => {
  it(
    "one person's history, the whole log as CSV a parser reads (since a day), the text a hash stands for",
    async () => {
      const dataDir = makeTempDir("consents")
      const stores = SqlStores.pipe(
        Layer.provideMerge(Layer.scoped(SqlClient.SqlClient, openDatabase(join(dataDir, "leads.sqlite"))))
      )
      const day = (d: number) => Date.UTC(2026, 11, d, 10, 0)
      const text = "Согласие, \"текст\"\nвторая строка"
      await Effect.runPromise(
        Effect.gen(function*() {
          const log = yield* Consents
          yield* log.keepText({ sha256: "aa11", version: "v1, final", text, at: day(1) })
          yield* log.accept({ telegramId: 501, version: "v1, final", textSha256: "aa11", at: day(1), how: "button" })
          yield* log.accept({ telegramId: 502, version: "v1, final", textSha256: "aa11", at: day(5), how: "button" })
          yield* log.withdraw(501, day(3))
        }).pipe(Effect.provide(stores), Effect.scoped, Effect.orDie)
      )

      const history = await consents(dataDir, ["501"])
      expect(history).toEqual({
        code: 0,
        stderr: "",
        stdout: "501: 2026-12-01T10:00:00.000Z accepted version v1, final (button; text sha256 aa11); withdrawn " +
          "2026-12-03T10:00:00.000Z"
      })
      const all = await consents(dataDir, ["--csv"])
      expect(all.code).toBe(0)
      expect(parse(all.stdout, { columns: true })).toEqual([
        {
          telegram_id: "501",
          version: "v1, final",
          text_sha256: "aa11",
          accepted_at: "2026-12-01T10:00:00.000Z",
          how: "button",
          withdrawn_at: "2026-12-03T10:00:00.000Z"
        },
        {
          telegram_id: "502",
          version: "v1, final",
          text_sha256: "aa11",
          accepted_at: "2026-12-05T10:00:00.000Z",
          how: "button",
          withdrawn_at: ""
        }
      ])
      const since = await consents(dataDir, ["--csv", "--since", "2026-12-04"])
      expect(parse(since.stdout, { columns: true }).map((r: { telegram_id: string }) => r.telegram_id)).toEqual(["502"])
      expect(await consents(dataDir, ["--text", "aa11"])).toMatchObject({ code: 0, stdout: text })
      const wrong = await consents(dataDir, ["--csv", "--since", "4 December"])
      expect(wrong).toMatchObject({ code: 2 })
      expect(wrong.stderr.split("\n")[0]).toBe("consents: --since: expected a day YYYY-MM-DD, got \"4 December\"")
    },
    60_000
  )
})
