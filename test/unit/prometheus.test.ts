import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"

import { prometheusText } from "../../src/metrics/prometheus.js"

describe("Prometheus text from Effect's metric snapshot", () => {
  it.effect("counters and gauges with escaped labels; histograms as cumulative buckets with +Inf, sum, count", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_taps_total", { description: "Taps", incremental: true })
      yield* Metric.incrementBy(Metric.tagged(counter, "brand", "agency"), 2)
      yield* Metric.increment(Metric.tagged(counter, "brand", "a \"quoted\"\\name"))
      yield* Metric.set(Metric.gauge("test_pending", { description: "Pending\nleads" }), 3)
      const histogram = Metric.histogram("test_seconds", MetricBoundaries.fromIterable([0.1, 1]), "Latency")
      for (const value of [0.05, 0.5, 0.7, 5]) yield* Metric.update(histogram, value)

      const text = prometheusText((yield* Metric.snapshot).filter((pair) => pair.metricKey.name.startsWith("test_")))
      expect(text.split("\n")).toEqual([
        "# HELP test_pending Pending leads",
        "# TYPE test_pending gauge",
        "test_pending 3",
        "# HELP test_seconds Latency",
        "# TYPE test_seconds histogram",
        "test_seconds_bucket{le=\"0.1\"} 1",
        "test_seconds_bucket{le=\"1\"} 3",
        "test_seconds_bucket{le=\"+Inf\"} 4",
        "test_seconds_sum 6.25",
        "test_seconds_count 4",
        "# HELP test_taps_total Taps",
        "# TYPE test_taps_total counter",
        "test_taps_total{brand=\"a \\\"quoted\\\"\\\\name\"} 1",
        "test_taps_total{brand=\"agency\"} 2",
        ""
      ])
    }))
})
