import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { dirname } from 'node:path';

/** One line of the bench table and of `bench/results/latest.json`. */
export interface Figure {
  figure: string;
  value: number | null;
  unit: string;
  /** The same work done by the bare baseline in the same run; null when the figure has none. */
  baseline: number | null;
  /** value / baseline (for a throughput: share of the baseline; for a latency: times slower). */
  ratio: number | null;
  /** Human-readable target, e.g. `< 20`, `>= 2000`; null when the issue sets none. */
  target: string | null;
  met: boolean | null;
  note?: string;
}

export type Goal = { below: number } | { atLeast: number } | { equal: number } | null;

export function figure(
  name: string,
  value: number | null,
  unit: string,
  options: { baseline?: number | null; goal?: Goal; note?: string } = {},
): Figure {
  const baseline = options.baseline ?? null;
  const goal = options.goal ?? null;
  const ratio = value !== null && baseline ? round(value / baseline, 2) : null;
  let target: string | null = null;
  let met: boolean | null = null;
  if (goal && 'below' in goal) {
    target = `< ${goal.below}`;
    met = value === null ? false : value < goal.below;
  } else if (goal && 'atLeast' in goal) {
    target = `>= ${goal.atLeast}`;
    met = value === null ? false : value >= goal.atLeast;
  } else if (goal && 'equal' in goal) {
    target = `= ${goal.equal}`;
    met = value === goal.equal;
  }
  return {
    figure: name,
    value: value === null ? null : round(value, 2),
    unit,
    baseline: baseline === null ? null : round(baseline, 2),
    ratio,
    target,
    met,
    ...(options.note ? { note: options.note } : {}),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The q-quantile (0..1) of a sample, nearest-rank; NaN for an empty sample. */
export function quantile(sample: number[], q: number): number {
  if (!sample.length) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    os: `${osType()} ${release()}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
}

export function formatTable(rows: Figure[]): string {
  const cell = (v: number | string | null) => (v === null ? '—' : String(v));
  const header = ['figure', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((r) => [
    r.figure,
    cell(r.value),
    r.unit,
    cell(r.baseline),
    r.ratio === null ? '—' : `${r.ratio}×`,
    cell(r.target),
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (l: string[]) =>
    l.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

export function writeResults(path: string, rows: Figure[], extra: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  const document = { date: new Date().toISOString(), machine: { ...machine(), ...extra }, figures: rows };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
}
