/**
 * The Prometheus text exposition format (version 0.0.4), by hand: `# HELP`, `# TYPE`, then
 * `name{label="value"} number` lines. No client library needed for this handful of metrics.
 */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type Labels = Record<string, string>
export type MetricType = 'counter' | 'gauge' | 'histogram'

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

export function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

export function formatValue(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString()
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return '+Inf'
  if (v === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(v)
}

/** One metric family: its HELP and TYPE lines, then one line per sample. */
export function family(
  name: string,
  type: MetricType,
  help: string,
  samples: { labels?: Labels; value: number | bigint; suffix?: string }[],
): string {
  const lines = [
    `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
    `# TYPE ${name} ${type}`,
  ]
  for (const s of samples)
    lines.push(`${name}${s.suffix ?? ''}${labelText(s.labels ?? {})} ${formatValue(s.value)}`)
  return `${lines.join('\n')}\n`
}
