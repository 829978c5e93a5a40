/** Summary statistics of a duration, in seconds (docs/metrics.md). */
export interface Stats {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

/** One point of `GET /reports/timeseries`; which fields are set depends on the metric. */
export interface Point {
  period: string;
  opened?: number;
  value?: { calendar?: Stats; median?: number | null } & Partial<Stats>;
  fcr?: number;
  decided?: number;
  resolved?: number;
  reopened?: number;
  /** Survey series (csat, ces, nps): the answers of surveys sent in the period. */
  responses?: number;
  percent?: number | null;
  mean?: number | null;
  score?: number | null;
}

export const METRICS = [
  { value: 'volume', label: 'Volume (conversations opened)', unit: 'count' },
  { value: 'first_response', label: 'First response time (median)', unit: 'seconds' },
  { value: 'full_resolution', label: 'Resolution time (median)', unit: 'seconds' },
  { value: 'fcr', label: 'First contact resolution (%)', unit: 'percent' },
  { value: 'reopen', label: 'Reopen rate (%)', unit: 'percent' },
  { value: 'handle_time', label: 'Handle time (median)', unit: 'seconds' },
  { value: 'csat', label: 'CSAT (% satisfied, 4–5 of 5)', unit: 'percent' },
  { value: 'ces', label: 'CES (mean, 1–7: easy is high)', unit: 'count' },
  { value: 'nps', label: 'NPS (−100…+100)', unit: 'count' },
] as const;
export type Metric = (typeof METRICS)[number]['value'];

/** A point's figure for the chart: counts, medians in seconds, or rates in percent. */
export function pointValue(metric: Metric, point: Point): number | null {
  switch (metric) {
    case 'volume':
      return point.opened ?? 0;
    case 'first_response':
    case 'full_resolution':
      return point.value?.calendar?.median ?? null;
    case 'handle_time':
      return point.value?.median ?? null;
    case 'fcr':
      return point.decided ? (100 * (point.fcr ?? 0)) / point.decided : null;
    case 'reopen':
      return point.resolved ? (100 * (point.reopened ?? 0)) / point.resolved : null;
    case 'csat':
      return point.percent ?? null;
    case 'ces':
      return point.mean ?? null;
    case 'nps':
      return point.score ?? null;
  }
}
