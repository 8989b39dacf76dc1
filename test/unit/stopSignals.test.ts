import { describe, expect, it } from "vitest"

import { SAME_STOP_WINDOW_MS, stopSignalJudge } from "../../src/stopSignals.js"

describe("stop signals: copies of the first are the same stop, a later one is another", () => {
  it("the first; its copies within the window (npm's forward, ms later); then one a second or more later", () => {
    const judge = stopSignalJudge()
    expect([0, 3, 40, SAME_STOP_WINDOW_MS - 1, SAME_STOP_WINDOW_MS, SAME_STOP_WINDOW_MS + 500].map(
      (ms) => judge(10_000 + ms)
    )).toEqual(["first", "copy", "copy", "copy", "later", "later"])
  })

  it("the window runs from the first signal, not from the last copy", () => {
    const judge = stopSignalJudge(100)
    expect([0, 60, 120].map(judge)).toEqual(["first", "copy", "later"])
  })
})
