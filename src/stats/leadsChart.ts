import { Data, Effect } from "effect"

/** The picture could not be drawn (the canvas library failed to load or to draw): `/stats` goes without it. */
export class ChartError extends Data.TaggedError("ChartError")<{ readonly detail: string }> {}

/** One brand's leads per day, in the order of the days. */
export interface ChartSeries {
  readonly name: string
  readonly counts: ReadonlyArray<number>
}

/** Colours told apart by most forms of colour blindness (Tableau 10). */
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]

const WIDTH = 1280
const HEIGHT = 800
/** Day labels that fit under the bars at this size without overlapping. */
const MAX_LABELS = 16

/**
 * The days' labels as the chart shows them: all when they fit, else every n-th counted back from the last, so that
 * the last day (today) is always labelled; the others blank.
 */
export const shownLabels = (days: ReadonlyArray<string>, max = MAX_LABELS): ReadonlyArray<string> => {
  const step = Math.max(1, Math.ceil(days.length / max))
  return days.map((day, i) => ((days.length - 1 - i) % step === 0 ? day : ""))
}

/**
 * Leads per day per brand as a stacked bar chart, a PNG large enough to read on a phone: Chart.js drawing on
 * @napi-rs/canvas (Skia, its binary from the npm registry), in-process. Both load on the first `/stats`, not at start.
 */
export const drawLeadsChart = (title: string, days: ReadonlyArray<string>, series: ReadonlyArray<ChartSeries>) =>
  Effect.tryPromise({
    try: async () => {
      const [{ createCanvas }, { Chart, registerables }] = await Promise.all([
        import("@napi-rs/canvas"),
        import("chart.js")
      ])
      Chart.register(...registerables)
      const canvas = createCanvas(WIDTH, HEIGHT)
      const font = { family: "DejaVu Sans, sans-serif" }
      // Chart.js draws on any context with the 2D canvas API, which @napi-rs/canvas's is (short of browser-only
      // methods, e.g. drawFocusIfNeeded, that Chart.js never calls); its types name the browser's, unchecked here
      // (this project has no DOM types), so the context goes in as it is.
      const labels = shownLabels(days)
      const chart = new Chart(canvas.getContext("2d"), {
        type: "bar",
        data: {
          labels: [...days],
          datasets: series.map((s, i) => ({
            label: s.name,
            data: [...s.counts],
            backgroundColor: PALETTE[i % PALETTE.length]!
          }))
        },
        options: {
          responsive: false,
          animation: false,
          devicePixelRatio: 1,
          layout: { padding: 24 },
          plugins: {
            title: { display: true, text: title, font: { ...font, size: 40 }, color: "#222" },
            legend: { position: "bottom", labels: { font: { ...font, size: 30 }, color: "#222", padding: 24 } }
          },
          scales: {
            x: {
              stacked: true,
              // Chart.js's own skipping may drop the last day; ours keeps it (shownLabels).
              ticks: { autoSkip: false, callback: (_, i) => labels[i], font: { ...font, size: 26 }, color: "#333" },
              grid: { display: false }
            },
            y: {
              stacked: true,
              beginAtZero: true,
              ticks: { precision: 0, font: { ...font, size: 26 }, color: "#333" }
            }
          }
        },
        // A photo has no transparency: white under the chart, not black.
        plugins: [{
          id: "background",
          beforeDraw: (c) => {
            c.ctx.save()
            c.ctx.fillStyle = "#ffffff"
            c.ctx.fillRect(0, 0, c.width, c.height)
            c.ctx.restore()
          }
        }]
      })
      try {
        return new Uint8Array(await canvas.encode("png"))
      } finally {
        chart.destroy()
      }
    },
    catch: (e) => new ChartError({ detail: e instanceof Error ? e.message : String(e) })
  })
