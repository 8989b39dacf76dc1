import { describe, expect, it } from "vitest"

import { judge } from "../../scripts/benchTargets.js"

describe("the benchmark's targets (issue 34)", () => {
  const figure = (ratios: ReadonlyArray<number>, target = 1.3) =>
    judge([{ scenario: "CRM ok", figure: "confirmation p99", target, ratios }])[0]!

  it("a figure is past its target only when every round is (more than the two rounds' noise)", () => {
    expect(figure([1.5, 1.6])).toMatchObject({ median: 1.55, past: true })
    // The median is past, but one round is within: the spread of two rounds, not the bot.
    expect(figure([1.2, 1.5])).toMatchObject({ median: 1.35, past: false })
    expect(figure([1.1, 1.2])).toMatchObject({ median: 1.15, past: false })
    expect(figure([1.31])).toMatchObject({ past: true })
  })

  it("a figure measured in no round is not judged", () => {
    expect(judge([{ scenario: "CRM ok", figure: "confirmation p99", target: 1.3, ratios: [] }])).toEqual([])
  })
})
