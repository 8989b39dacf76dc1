import type { MetricPair } from "effect"
import { MetricState } from "effect"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>, extra?: string) => {
  const parts = tags.map((tag) => `${tag.key}="${escapeLabel(tag.value)}"`)
  if (extra !== undefined) parts.push(extra)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

const number = (value: number | bigint) =>
  typeof value === "bigint"
    ? value.toString()
    : value === Infinity
    ? "+Inf"
    : value === -Infinity
    ? "-Inf"
    : String(value)

/**
 * Effect's metric snapshot in Prometheus' text format (version 0.0.4): one HELP and TYPE a name, then a sample
 * a label set; histograms as cumulative `_bucket`s with `le`, `_sum` and `_count`. Frequencies and summaries,
 * which the bot does not use, are left out.
 */
export const prometheusText = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const byName = new Map<string, Array<MetricPair.MetricPair.Untyped>>()
  for (const pair of pairs) byName.set(pair.metricKey.name, [...(byName.get(pair.metricKey.name) ?? []), pair])
  const lines: Array<string> = []
  for (const [name, samples] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const first = samples[0]!
    const state = first.metricState
    const type = MetricState.isCounterState(state)
      ? "counter"
      : MetricState.isGaugeState(state)
      ? "gauge"
      : MetricState.isHistogramState(state)
      ? "histogram"
      : undefined
    if (type === undefined) continue
    const help = first.metricKey.description
    if (help._tag === "Some") lines.push(`# HELP ${name} ${help.value.replace(/\n/g, " ")}`)
    lines.push(`# TYPE ${name} ${type}`)
    const sorted = [...samples].sort((a, b) => labels(a.metricKey.tags).localeCompare(labels(b.metricKey.tags)))
    for (const { metricKey: { tags }, metricState } of sorted) {
      if (MetricState.isCounterState(metricState)) lines.push(`${name}${labels(tags)} ${number(metricState.count)}`)
      else if (MetricState.isGaugeState(metricState)) lines.push(`${name}${labels(tags)} ${number(metricState.value)}`)
      else if (MetricState.isHistogramState(metricState)) {
        for (const [bound, count] of metricState.buckets) {
          lines.push(`${name}_bucket${labels(tags, `le="${number(bound)}"`)} ${count}`)
        }
        lines.push(`${name}_sum${labels(tags)} ${metricState.sum}`)
        lines.push(`${name}_count${labels(tags)} ${metricState.count}`)
      }
    }
  }
  return `${lines.join("\n")}\n`
}
