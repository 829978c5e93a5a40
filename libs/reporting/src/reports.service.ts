import { Injectable } from '@nestjs/common';
import {
  ReportsRepository,
  SERIES_METRICS,
  type Interval,
  type ReportFilter,
  type SeriesMetric,
} from './reports.repository.js';
import { ReportingError } from './reporting.errors.js';

const DAY_MS = 86_400_000;
const MAX_PERIOD_DAYS = 400;
export const EXPORT_ROW_LIMIT = 100_000;

/** Reports for supervisors: validated periods and filters over the metric rows. */
@Injectable()
export class ReportsService {
  constructor(private readonly reports: ReportsRepository) {}

  summary(filter: ReportFilter): Promise<Record<string, unknown>> {
    return this.reports.summary(this.checked(filter));
  }

  series(filter: ReportFilter, metric: string, interval: string): Promise<Array<Record<string, unknown>>> {
    if (!SERIES_METRICS.includes(metric as SeriesMetric)) {
      throw ReportingError.invalid(`metric must be one of ${SERIES_METRICS.join(', ')}`);
    }
    if (!['day', 'week', 'month'].includes(interval))
      throw ReportingError.invalid('interval must be day, week or month');
    return this.reports.series(this.checked(filter), metric as SeriesMetric, interval as Interval);
  }

  distribution(filter: ReportFilter, metric: string) {
    if (metric !== 'first_response' && metric !== 'full_resolution') {
      throw ReportingError.invalid('metric must be first_response or full_resolution');
    }
    return this.reports.distribution(this.checked(filter), metric);
  }

  leaderboard(filter: ReportFilter) {
    return this.reports.leaderboard(this.checked(filter));
  }

  live(workspaceId: string) {
    return this.reports.live(workspaceId);
  }

  /** The period's cycles as CSV (RFC 4180; cells that a spreadsheet would run as formulas are quoted inert). */
  async exportCsv(filter: ReportFilter): Promise<string> {
    const rows = await this.reports.cycles(this.checked(filter), EXPORT_ROW_LIMIT);
    if (!rows.length) return '';
    const columns = Object.keys(rows[0]);
    const lines = [columns.join(',')];
    for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  private checked(filter: ReportFilter): ReportFilter {
    const span = filter.to.getTime() - filter.from.getTime();
    if (Number.isNaN(span) || span <= 0) throw ReportingError.invalid('from must be before to (ISO times)');
    if (span > MAX_PERIOD_DAYS * DAY_MS)
      throw ReportingError.invalid(`A period is at most ${MAX_PERIOD_DAYS} days`);
    return filter;
  }
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : `${value as string | number | boolean}`;
  if (/^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
