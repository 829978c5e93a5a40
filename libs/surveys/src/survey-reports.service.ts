import { Injectable } from '@nestjs/common';
import { WorkspacesService } from '@parley/accounts';
import { decodeCursor, encodeCursor, InvalidCursorError, type Cursor, type Page } from '@parley/database';
import type { Channel } from '@parley/realtime';
import { SurveysRepository } from './surveys.repository.js';
import type { SurveyKind, SurveyStatus } from './surveys.entities.js';
import { SurveysError } from './surveys.errors.js';

export interface SurveyFilter {
  from: Date;
  to: Date;
  kind?: SurveyKind;
  status?: SurveyStatus;
  channel?: Channel;
  teamId?: string;
  agentId?: string;
  inboxId?: string;
  contactId?: string;
  conversationId?: string;
  minScore?: number;
  maxScore?: number;
  /** A label name on the surveyed conversation. */
  label?: string;
}

export type SurveyGroupBy = 'none' | 'channel' | 'inbox' | 'team' | 'agent' | 'day' | 'week' | 'month';

export interface SurveyRow {
  id: string;
  kind: SurveyKind;
  status: SurveyStatus;
  statusReason: string | null;
  score: number | null;
  comment: string | null;
  channel: Channel | null;
  conversationId: string | null;
  campaignId: string | null;
  contact: { id: string; name: string | null };
  agentId: string | null;
  teamId: string | null;
  scheduledFor: string;
  sentAt: string | null;
  answeredAt: string | null;
  expiresAt: string | null;
}

/** One group of the aggregates; rates are null when nothing was sent, scores null without responses. */
export interface SurveySummaryRow {
  key: string;
  csat: {
    sent: number;
    responses: number;
    responseRate: number | null;
    percent: number | null;
    mean: number | null;
  };
  ces: {
    sent: number;
    responses: number;
    responseRate: number | null;
    mean: number | null;
    percentEasy: number | null;
    scale: string;
  };
  nps: {
    sent: number;
    responses: number;
    responseRate: number | null;
    score: number | null;
    promoters: number;
    passives: number;
    detractors: number;
  };
}

const CES_SCALE = 'CES 2.0: 1 = strongly disagree … 7 = strongly agree; easy = 5, 6 or 7';
const PERIOD_KEY = (unit: string) =>
  `to_char(date_trunc('${unit}', s.sent_at AT TIME ZONE $TZ), 'YYYY-MM-DD')`;
const GROUP_KEYS: Record<SurveyGroupBy, string> = {
  none: `'all'`,
  channel: `coalesce(s.channel, 'unknown')`,
  inbox: `coalesce(s.inbox_id::text, 'none')`,
  team: `coalesce(s.team_id::text, 'none')`,
  agent: `coalesce(s.agent_id::text, 'none')`,
  day: PERIOD_KEY('day'),
  week: PERIOD_KEY('week'),
  month: PERIOD_KEY('month'),
};
const PERIODS: ReadonlySet<SurveyGroupBy> = new Set(['day', 'week', 'month']);

/**
 * Survey responses and their aggregates (METRICS.md): CSAT % = (#4 + #5) / responses; CES mean and
 * % easy; NPS = %(9–10) − %(0–6); response rate = responses / surveys accepted by the channel. The
 * period is the one the surveys were sent in, attributed to the agent and team snapshotted then.
 */
@Injectable()
export class SurveyReportsService {
  constructor(
    private readonly repository: SurveysRepository,
    private readonly workspaces: WorkspacesService,
  ) {}

  async list(
    workspaceId: string,
    filter: SurveyFilter,
    limit: number,
    cursor?: string,
  ): Promise<Page<SurveyRow>> {
    const { where, params } = this.where(workspaceId, filter, 's.created_at');
    if (cursor) {
      let position: Cursor;
      try {
        position = decodeCursor(cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw SurveysError.invalid('cursor is malformed');
        throw error;
      }
      if (typeof position.values[0] !== 'string') throw SurveysError.invalid('cursor is malformed');
      params.push(position.values[0], position.id);
      where.push(`(s.created_at, s.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows: Array<Record<string, unknown>> = await this.repository.manager.query(
      `SELECT s.id, s.kind, s.status, s.status_reason, s.score, s.comment, s.channel, s.conversation_id, s.campaign_id,
              s.agent_id, s.team_id, s.scheduled_for, s.sent_at, s.answered_at, s.expires_at, s.created_at,
              s.contact_id, ct.name AS contact_name
         FROM surveys s JOIN contacts ct ON ct.id = s.contact_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id as string,
        kind: row.kind as SurveyKind,
        status: row.status as SurveyStatus,
        statusReason: row.status_reason as string | null,
        score: row.score as number | null,
        comment: row.comment as string | null,
        channel: row.channel as Channel | null,
        conversationId: row.conversation_id as string | null,
        campaignId: row.campaign_id as string | null,
        contact: { id: row.contact_id as string, name: row.contact_name as string | null },
        agentId: row.agent_id as string | null,
        teamId: row.team_id as string | null,
        scheduledFor: iso(row.scheduled_for)!,
        sentAt: iso(row.sent_at),
        answeredAt: iso(row.answered_at),
        expiresAt: iso(row.expires_at),
      })),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({
              values: [new Date(last.created_at as string).toISOString()],
              id: last.id as string,
            })
          : null,
    };
  }

  async summary(
    workspaceId: string,
    filter: SurveyFilter,
    groupBy: SurveyGroupBy,
  ): Promise<SurveySummaryRow[]> {
    const { where, params } = this.where(workspaceId, filter, 's.sent_at');
    // Days, weeks and months of the workspace's time zone, as the conversation reports count them.
    if (PERIODS.has(groupBy)) params.push((await this.workspaces.get(workspaceId)).timezone);
    const key = GROUP_KEYS[groupBy].replace('$TZ', `$${params.length}`);
    const rows: Array<Record<string, string | null>> = await this.repository.manager.query(
      `SELECT ${key} AS key, s.kind,
              count(*) FILTER (WHERE m.status IS NULL OR m.status NOT IN ('queued', 'failed', 'undelivered')) AS sent,
              count(s.score) AS responses,
              avg(s.score) AS mean,
              count(*) FILTER (WHERE s.kind = 'csat' AND s.score >= 4) AS satisfied,
              count(*) FILTER (WHERE s.kind = 'ces' AND s.score >= 5) AS easy,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score >= 9) AS promoters,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score BETWEEN 7 AND 8) AS passives,
              count(*) FILTER (WHERE s.kind = 'nps' AND s.score <= 6) AS detractors
         FROM surveys s LEFT JOIN messages m ON m.id = s.message_id
        WHERE ${where.join(' AND ')} AND s.sent_at IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1`,
      params,
    );
    const groups = new Map<string, SurveySummaryRow>();
    const rate = (part: number, whole: number) => (whole ? round((part / whole) * 100) : null);
    for (const row of rows) {
      const groupKey = row.key ?? 'none';
      const group = groups.get(groupKey) ?? emptyRow(groupKey);
      groups.set(groupKey, group);
      const sent = Number(row.sent);
      const responses = Number(row.responses);
      const mean = row.mean === null ? null : round(Number(row.mean));
      if (row.kind === 'csat') {
        group.csat = {
          sent,
          responses,
          responseRate: rate(responses, sent),
          percent: rate(Number(row.satisfied), responses),
          mean,
        };
      } else if (row.kind === 'ces') {
        group.ces = {
          sent,
          responses,
          responseRate: rate(responses, sent),
          mean,
          percentEasy: rate(Number(row.easy), responses),
          scale: CES_SCALE,
        };
      } else {
        const promoters = Number(row.promoters);
        const detractors = Number(row.detractors);
        group.nps = {
          sent,
          responses,
          responseRate: rate(responses, sent),
          score: responses ? Math.round(((promoters - detractors) / responses) * 100) : null,
          promoters,
          passives: Number(row.passives),
          detractors,
        };
      }
    }
    if (groupBy === 'none' && !groups.size) groups.set('all', emptyRow('all'));
    return [...groups.values()];
  }

  private where(
    workspaceId: string,
    filter: SurveyFilter,
    periodColumn: string,
  ): { where: string[]; params: unknown[] } {
    if (!(filter.from < filter.to)) throw SurveysError.invalid('from must be before to (ISO times)');
    const params: unknown[] = [workspaceId, filter.from, filter.to];
    const where = ['s.workspace_id = $1', `${periodColumn} >= $2`, `${periodColumn} < $3`];
    const equal: Array<[keyof SurveyFilter, string]> = [
      ['kind', 's.kind'],
      ['status', 's.status'],
      ['channel', 's.channel'],
      ['teamId', 's.team_id'],
      ['agentId', 's.agent_id'],
      ['inboxId', 's.inbox_id'],
      ['contactId', 's.contact_id'],
      ['conversationId', 's.conversation_id'],
    ];
    for (const [field, column] of equal) {
      const value = filter[field];
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    if (filter.minScore !== undefined) {
      params.push(filter.minScore);
      where.push(`s.score >= $${params.length}`);
    }
    if (filter.maxScore !== undefined) {
      params.push(filter.maxScore);
      where.push(`s.score <= $${params.length}`);
    }
    if (filter.label !== undefined) {
      params.push(filter.label);
      where.push(`EXISTS (SELECT 1 FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
                   WHERE cl.conversation_id = s.conversation_id AND l.name = $${params.length})`);
    }
    return { where, params };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function emptyRow(key: string): SurveySummaryRow {
  return {
    key,
    csat: { sent: 0, responses: 0, responseRate: null, percent: null, mean: null },
    ces: { sent: 0, responses: 0, responseRate: null, mean: null, percentEasy: null, scale: CES_SCALE },
    nps: { sent: 0, responses: 0, responseRate: null, score: null, promoters: 0, passives: 0, detractors: 0 },
  };
}
