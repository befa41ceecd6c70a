import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** A series of a day chart: its name (shown in our own legend) and one value per day. */
export interface DaySeries {
  label: string
  values: (number | null)[]
}

/**
 * The series colours, also the legend swatches' (`.swatch-0` … in styles.css): each at least 3:1
 * against the white card, so the lines are visible without the legend.
 */
export const SERIES_COLORS = ['#0b5cad', '#1b6e2d', '#a4161a', '#7a4a00'] as const

const HEIGHT = 220

/**
 * A line chart of per-UTC-day figures with uPlot, drawn on a canvas (bundled, no CDN). uPlot
 * sets its sizes through the CSSOM (`element.style.x = …`), which a `style-src 'self'` CSP
 * allows; its stylesheet is part of this bundle. The canvas is hidden from assistive technology:
 * the page puts a text summary and a table next to it. uPlot's legend is off (our own is HTML).
 */
export function DayChart(props: {
  days: string[]
  series: DaySeries[]
  /** The y axis's labels (short: the axis is 64 px wide). */
  format: (v: number) => string
  /** The y axis's steps, when the default decimal ones read badly (durations). */
  incrs?: number[]
}) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (!el) return
    const xs = props.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000)
    const format = props.format
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          { stroke: '#4a5560', grid: { stroke: '#e6e9ed' } },
          {
            stroke: '#4a5560',
            grid: { stroke: '#e6e9ed' },
            size: 64,
            values: (_u, splits) => splits.map((v) => format(v)),
            ...(props.incrs ? { incrs: props.incrs } : {}),
          },
        ],
        series: [
          {},
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: SERIES_COLORS[i % SERIES_COLORS.length],
            width: 2,
            spanGaps: false,
            points: { show: props.days.length <= 31 },
          })),
        ],
      },
      [xs, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    )
    // Narrow screens: the chart follows its box's width (a phone turned, a window resized).
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth)
      if (w !== plot.width) plot.setSize({ width: w, height: HEIGHT })
    })
    ro.observe(el)
    return () => {
      ro.disconnect()
      plot.destroy()
    }
  }, [props.days, props.series, props.format, props.incrs])
  return <div class="day-chart" ref={box} aria-hidden="true" />
}
