import { Injectable } from '@nestjs/common';
import { SurveyReportsService, type SurveyFilter, type SurveySummaryRow } from '@parley/surveys';
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
const SATISFACTION = ['csat', 'ces', 'nps'] as const;
type SatisfactionMetric = (typeof SATISFACTION)[number];
/** Every time series: conversation metrics, then survey scores (surveys sent in each period). */
export const REPORT_SERIES: readonly string[] = [...SERIES_METRICS, ...SATISFACTION];

/** Reports for supervisors: validated periods and filters over the metric rows. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly surveys: SurveyReportsService,
  ) {}

  /** Conversation metrics and, as `satisfaction`, CSAT, CES and NPS of the surveys sent in the period. */
  async summary(filter: ReportFilter): Promise<Record<string, unknown>> {
    const checked = this.checked(filter);
    const [metrics, [satisfaction]] = await Promise.all([
      this.reports.summary(checked),
      this.surveys.summary(filter.workspaceId, surveyFilter(checked), 'none'),
    ]);
    const { key: _all, ...scores } = satisfaction;
    return { ...metrics, satisfaction: scores };
  }

  async series(
    filter: ReportFilter,
    metric: string,
    interval: string,
  ): Promise<Array<Record<string, unknown>>> {
    if (!REPORT_SERIES.includes(metric)) {
      throw ReportingError.invalid(`metric must be one of ${REPORT_SERIES.join(', ')}`);
    }
    if (!['day', 'week', 'month'].includes(interval))
      throw ReportingError.invalid('interval must be day, week or month');
    const checked = this.checked(filter);
    if (SATISFACTION.includes(metric as SatisfactionMetric)) {
      const rows = await this.surveys.summary(
        filter.workspaceId,
        surveyFilter(checked),
        interval as Interval,
      );
      return rows.map((row) => ({ period: row.key, ...row[metric as SatisfactionMetric] }));
    }
    return this.reports.series(checked, metric as SeriesMetric, interval as Interval);
  }

  distribution(filter: ReportFilter, metric: string) {
    if (metric !== 'first_response' && metric !== 'full_resolution') {
      throw ReportingError.invalid('metric must be first_response or full_resolution');
    }
    return this.reports.distribution(this.checked(filter), metric);
  }

  /** Per agent; CSAT goes to the agent assigned when the survey was sent. */
  async leaderboard(filter: ReportFilter) {
    const checked = this.checked(filter);
    const [rows, surveys] = await Promise.all([
      this.reports.leaderboard(checked),
      this.surveys.summary(filter.workspaceId, { ...surveyFilter(checked), agentId: undefined }, 'agent'),
    ]);
    const byAgent = new Map<string, SurveySummaryRow>(surveys.map((row) => [row.key, row]));
    return rows.map((row) => {
      const csat = byAgent.get(String(row.agentId))?.csat;
      return { ...row, csat: { responses: csat?.responses ?? 0, percent: csat?.percent ?? null } };
    });
  }

  /** Time to assign, bounces and assignments by kind, of the conversations opened in the period. */
  assignment(filter: ReportFilter) {
    return this.reports.assignment(this.checked(filter));
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

/** The report's period and filters, for the surveys sent in it. */
function surveyFilter(filter: ReportFilter): SurveyFilter {
  const { from, to, channel, inboxId, teamId, agentId, label } = filter;
  return { from, to, channel, inboxId, teamId, agentId, label };
}
