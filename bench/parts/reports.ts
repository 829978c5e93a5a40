import { SERIES_METRICS } from '@parley/reporting';
import type { BenchContext } from '../lib/context.js';
import { http, sample } from '../lib/http.js';
import { figure, quantile, type Figure } from '../lib/results.js';

const SAMPLES = 5;
const REPORT_TARGET_MS = 200;
const LIVE_TARGET_MS = 20;

/** Every report for the last 90 days (median of SAMPLES), and the live queue. */
export async function reports(context: BenchContext): Promise<Figure[]> {
  const { stack, adminToken, db, meta } = context;
  const to = new Date();
  const from = new Date(to.getTime() - 90 * 86_400_000);
  const period = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const cases: Array<{ name: string; path: string; target: number; note?: string }> = [
    { name: 'summary', path: `/api/v1/reports/summary?${period}`, target: REPORT_TARGET_MS },
    ...SERIES_METRICS.map((metric) => ({
      name: `timeseries ${metric}`,
      path: `/api/v1/reports/timeseries?metric=${metric}&interval=day&${period}`,
      target: REPORT_TARGET_MS,
    })),
    ...['first_response', 'full_resolution'].map((metric) => ({
      name: `distribution ${metric}`,
      path: `/api/v1/reports/distribution?metric=${metric}&${period}`,
      target: REPORT_TARGET_MS,
    })),
    { name: 'agents', path: `/api/v1/reports/agents?${period}`, target: REPORT_TARGET_MS },
    {
      name: 'summary one team',
      path: `/api/v1/reports/summary?teamId=${meta.teamIds[0]}&${period}`,
      target: REPORT_TARGET_MS,
    },
    { name: 'assignment', path: `/api/v1/reports/assignment?${period}`, target: REPORT_TARGET_MS },
    { name: 'surveys summary', path: `/api/v1/surveys/summary?${period}`, target: REPORT_TARGET_MS },
    { name: 'live queue', path: `/api/v1/reports/live`, target: LIVE_TARGET_MS },
    {
      name: 'export.csv',
      path: `/api/v1/reports/export.csv?${period}`,
      target: Number.NaN,
      note: 'at most 100,000 rows; no target',
    },
  ];
  // Baseline: counting the period's cycles by index, the least any 90-day report must touch.
  const baseline = quantile(
    await sample(async () => {
      const started = performance.now();
      await db.query(
        `SELECT count(*) FROM conversation_metrics WHERE workspace_id = $1 AND started_at >= $2 AND started_at < $3`,
        [meta.workspaceId, from, to],
      );
      return performance.now() - started;
    }, SAMPLES),
    0.5,
  );
  const rows: Figure[] = [];
  for (const report of cases) {
    const times = await sample(
      async () => {
        const result = await http('GET', `${stack.url}${report.path}`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        if (result.status !== 200)
          throw new Error(`${report.path} answered ${result.status}: ${result.body}`);
        return result.ms;
      },
      SAMPLES,
      1,
    );
    rows.push(
      figure(
        `report ${report.name}${report.path.includes('from=') ? ' (90 days)' : ''} p50`,
        quantile(times, 0.5),
        'ms',
        {
          baseline: report.path.includes('from=') ? baseline : null,
          goal: Number.isNaN(report.target) ? null : { below: report.target },
          note: report.note,
        },
      ),
    );
    context.log(`  report ${report.name} done`);
  }
  return rows;
}
