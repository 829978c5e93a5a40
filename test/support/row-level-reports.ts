import type { DataSource } from 'typeorm';
import type { ReportFilter, SERIES_METRICS } from '@parley/reporting';

export type Interval = 'day' | 'week' | 'month';

export interface Stats {
  count: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
}

export interface DurationStats {
  calendar: Stats;
  business: Stats;
}

/** A parameterised SQL fragment builder: values go to `params`, never into the text. */
class Sql {
  readonly params: unknown[] = [];

  value(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

/**
 * Where a metric's facts live: the time that places it in a period, the rows it reads and the
 * column that attributes it to an agent (FRT to who replied, resolution to who resolved…).
 */
interface MetricSource {
  at: string;
  where: string;
  agent: string;
}

const SOURCES = {
  opened: { at: 'started_at', where: 'cycle = 0', agent: 'assignee_id' },
  cycles: { at: 'started_at', where: 'true', agent: 'assignee_id' },
  slaNextReply: { at: 'started_at', where: 'sla_policy_id IS NOT NULL', agent: 'assignee_id' },
  firstResponse: { at: 'first_response_at', where: 'frt_seconds IS NOT NULL', agent: 'first_responder_id' },
  firstResolution: {
    at: 'resolved_at',
    where: 'cycle = 0 AND resolution_seconds IS NOT NULL',
    agent: 'resolved_by',
  },
  fullResolution: {
    at: 'resolved_at',
    where: 'last_resolve AND resolution_seconds IS NOT NULL',
    agent: 'resolved_by',
  },
  resolved: { at: 'resolved_at', where: 'resolved_at IS NOT NULL', agent: 'resolved_by' },
  fcr: { at: 'resolved_at', where: 'cycle = 0 AND fcr_window_ends_at IS NOT NULL', agent: 'resolved_by' },
  slaFirstResponse: { at: 'frt_due_at', where: 'frt_due_at IS NOT NULL', agent: 'first_responder_id' },
  slaResolution: { at: 'resolution_due_at', where: 'resolution_due_at IS NOT NULL', agent: 'resolved_by' },
} satisfies Record<string, MetricSource>;

function stats(column: string): string {
  return `json_build_object(
    'count', count(${column}),
    'mean', round(avg(${column})::numeric, 1),
    'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY ${column}),
    'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY ${column}))`;
}

function durations(calendar: string, business: string): string {
  return `json_build_object('calendar', ${stats(calendar)}, 'business', ${stats(business)})`;
}

/** First-contact resolution: final once the window has closed, pending before (METRICS.md). */
const FCR_COUNTS = `count(*) FILTER (WHERE fcr_candidate AND fcr_window_ends_at <= now())::int AS fcr,
  count(*) FILTER (WHERE fcr_window_ends_at <= now())::int AS decided,
  count(*) FILTER (WHERE fcr_candidate AND fcr_window_ends_at > now())::int AS pending`;

/** An SLA target met by `done` before `due`, or breached (also when still undone past its due time). */
function metOrBreached(done: string, due: string): string {
  return `count(*) FILTER (WHERE ${done} <= ${due})::int AS met,
    count(*) FILTER (WHERE coalesce(${done}, now()) > ${due})::int AS breached`;
}

const DISTRIBUTION_BUCKETS = [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600];

/**
 * The oracle of the rollup tests: the report queries as they were before the daily rollups
 * (migration 1765300000000), straight over `conversation_metrics` with percentile_cont.
 */
export class RowLevelReports {
  constructor(private readonly dataSource: DataSource) {}

  async timezone(workspaceId: string): Promise<string> {
    const rows: Array<{ timezone: string }> = await this.dataSource.query(
      `SELECT timezone FROM workspaces WHERE id = $1`,
      [workspaceId],
    );
    return rows[0]?.timezone ?? 'UTC';
  }

  /** Every summary figure for the period, one query per metric family. */
  async summary(filter: ReportFilter): Promise<Record<string, unknown>> {
    const [volume, frt, nextReply, resolution, fcr, sla, effort] = await Promise.all([
      this.one(
        filter,
        SOURCES.cycles,
        `count(*) FILTER (WHERE cycle = 0)::int AS opened, count(*) FILTER (WHERE cycle > 0)::int AS reopened,
         coalesce(sum(customer_messages), 0)::int AS customer_messages`,
      ),
      this.one(
        filter,
        SOURCES.firstResponse,
        `${durations('frt_seconds', 'frt_business_seconds')} AS first_response`,
      ),
      this.nextReply(filter, false),
      this.resolution(filter),
      this.one(
        filter,
        SOURCES.fcr,
        `${FCR_COUNTS},
         count(*)::int AS resolved_first_time,
         count(*) FILTER (WHERE reopened)::int AS reopened`,
      ),
      this.sla(filter),
      this.one(
        filter,
        SOURCES.resolved,
        `round(avg(channel_switches)::numeric, 2) AS channel_switches,
         round(avg(customer_messages)::numeric, 2) AS customer_messages,
         count(*) FILTER (WHERE repeat_contact)::int AS repeat_contacts,
         count(*) FILTER (WHERE last_resolve)::int AS resolved_conversations,
         ${stats('handle_seconds')} AS handle`,
      ),
    ]);
    const [v, f, r, c, s, e] = [volume[0], frt[0], resolution[0], fcr[0], sla, effort[0]];
    const rate = (part: number, whole: number): number | null => (whole ? round((100 * part) / whole) : null);
    return {
      period: { from: filter.from.toISOString(), to: filter.to.toISOString() },
      volume: {
        opened: v.opened,
        reopened: v.reopened,
        customerMessages: v.customer_messages,
        resolved: Number(e.resolved_conversations),
      },
      firstResponse: f.first_response,
      nextReply: nextReply[0]?.next_reply,
      firstResolution: r.first_resolution,
      fullResolution: r.full_resolution,
      activeResolution: r.active_resolution,
      fcr: {
        rate: rate(Number(c.fcr), Number(c.decided)),
        fcr: c.fcr,
        decided: c.decided,
        pending: c.pending,
      },
      reopen: { rate: rate(Number(c.reopened), Number(c.resolved_first_time)), reopened: c.reopened },
      handleTime: e.handle,
      effort: {
        channelSwitchesMean: e.channel_switches === null ? null : Number(e.channel_switches),
        customerMessagesMean: e.customer_messages === null ? null : Number(e.customer_messages),
        repeatContacts: e.repeat_contacts,
        repeatContactRate: rate(Number(e.repeat_contacts), Number(e.resolved_conversations)),
      },
      sla: s,
    };
  }

  /** One metric as a time series in the workspace's time zone. */
  async series(
    filter: ReportFilter,
    metric: SeriesMetric,
    interval: Interval,
  ): Promise<Array<Record<string, unknown>>> {
    const timezone = await this.timezone(filter.workspaceId);
    const spec = SERIES[metric];
    const sql = new Sql();
    const bucket = (column: string) =>
      `to_char(date_trunc(${sql.value(interval)}, ${column} AT TIME ZONE ${sql.value(timezone)}), 'YYYY-MM-DD')`;
    const source = SOURCES[spec.source];
    const where = this.where(sql, filter, source);
    return this.dataSource.query(
      `SELECT ${bucket(source.at)} AS period, ${spec.select}
         FROM conversation_metrics m WHERE ${where}
        GROUP BY 1 ORDER BY 1`,
      sql.params,
    );
  }

  /** Counts per duration bucket (under 1 min, 1–5 min, … over 3 days). */
  async distribution(
    filter: ReportFilter,
    metric: 'first_response' | 'full_resolution',
  ): Promise<Array<{ upTo: number | null; count: number }>> {
    const source = metric === 'first_response' ? SOURCES.firstResponse : SOURCES.fullResolution;
    const column = metric === 'first_response' ? 'frt_seconds' : 'resolution_seconds';
    const sql = new Sql();
    const where = this.where(sql, filter, source);
    const rows: Array<{ bucket: number; count: number }> = await this.dataSource.query(
      `SELECT width_bucket(${column}, ${sql.value(DISTRIBUTION_BUCKETS)}::int[]) AS bucket, count(*)::int AS count
         FROM conversation_metrics m WHERE ${where} GROUP BY 1`,
      sql.params,
    );
    return [...DISTRIBUTION_BUCKETS, null].map((upTo, index) => ({
      upTo,
      count: rows.find((row) => row.bucket === index)?.count ?? 0,
    }));
  }

  /** The assignment report: the first cycles opened in the period, attributed to their assignee. */
  async assignment(filter: ReportFilter): Promise<Record<string, unknown>> {
    const kind = (name: string) => `coalesce(sum((assignment_kinds->>'${name}')::int), 0)::int AS ${name}`;
    const [row] = (await this.one(
      filter,
      SOURCES.opened,
      `count(*)::int AS opened, count(assign_seconds)::int AS assigned,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY assign_seconds) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY assign_seconds) AS p90,
       round(avg(assign_seconds), 1)::float AS mean,
       count(*) FILTER (WHERE assignment_count > 1)::int AS bounced,
       ${['auto', 'manual', 'self', 'requeued'].map(kind).join(', ')}`,
    )) as Array<Record<string, number | null>>;
    const value = (name: string) => (row[name] === null ? null : round(Number(row[name])));
    return {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
      conversationsOpened: row.opened,
      conversationsAssigned: row.assigned,
      timeToAssignSeconds: { median: value('median'), p90: value('p90'), mean: row.mean },
      bouncedConversations: row.bounced,
      assignments: { auto: row.auto, manual: row.manual, self: row.self, requeued: row.requeued },
    };
  }

  /** Per agent: resolved, FRT and next reply (to who replied), handle time, FCR (to who resolved). */
  async leaderboard(filter: ReportFilter): Promise<Array<Record<string, unknown>>> {
    const people = new Sql();
    const members: Array<{ id: string; name: string }> = await this.dataSource.query(
      `SELECT u.id, u.name FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ms.workspace_id = ${people.value(filter.workspaceId)} ORDER BY u.name`,
      people.params,
    );
    const scoped = { ...filter, agentId: undefined };
    const byAgent = async (source: MetricSource, select: string) => {
      const sql = new Sql();
      const where = this.where(sql, scoped, source);
      const rows: Array<Record<string, unknown> & { agent_id: string }> = await this.dataSource.query(
        `SELECT ${source.agent} AS agent_id, ${select} FROM conversation_metrics m
          WHERE ${where} AND ${source.agent} IS NOT NULL GROUP BY 1`,
        sql.params,
      );
      return new Map(rows.map((row) => [row.agent_id, row]));
    };
    const handleSql = new Sql();
    const handleWhere = this.where(handleSql, scoped, SOURCES.resolved);
    const [resolved, frt, handle, replies] = await Promise.all([
      byAgent(
        SOURCES.resolved,
        `count(*)::int AS resolved,
         count(*) FILTER (WHERE cycle = 0 AND fcr_candidate AND fcr_window_ends_at <= now())::int AS fcr,
         count(*) FILTER (WHERE cycle = 0 AND fcr_window_ends_at <= now())::int AS fcr_decided`,
      ),
      byAgent(SOURCES.firstResponse, `${stats('frt_seconds')} AS first_response`),
      this.dataSource
        .query(
          // bigint: a team's handle seconds over a long period outgrow 32 bits.
          `SELECT h.key AS agent_id, sum(h.value::bigint) AS handle_seconds
             FROM conversation_metrics m, jsonb_each_text(m.handle_by_agent) h
            WHERE ${handleWhere} GROUP BY 1`,
          handleSql.params,
        )
        .then(
          (rows: Array<{ agent_id: string; handle_seconds: string }>) =>
            new Map(rows.map((row) => [row.agent_id, row])),
        ),
      this.nextReply(scoped, true),
    ]);
    const repliesByAgent = new Map(replies.map((row) => [row.agent_id as string, row]));
    return members.map((member) => {
      const r = resolved.get(member.id);
      return {
        agentId: member.id,
        name: member.name,
        resolved: r?.resolved ?? 0,
        fcrRate: r && Number(r.fcr_decided) ? round((100 * Number(r.fcr)) / Number(r.fcr_decided)) : null,
        firstResponse: frt.get(member.id)?.first_response ?? null,
        nextReply: repliesByAgent.get(member.id)?.next_reply ?? null,
        handleSeconds: Number(handle.get(member.id)?.handle_seconds ?? 0),
      };
    });
  }

  private async one(
    filter: ReportFilter,
    source: MetricSource,
    select: string,
  ): Promise<Array<Record<string, unknown>>> {
    const sql = new Sql();
    const where = this.where(sql, filter, source);
    return this.dataSource.query(`SELECT ${select} FROM conversation_metrics m WHERE ${where}`, sql.params);
  }

  private async resolution(filter: ReportFilter): Promise<Array<Record<string, unknown>>> {
    const [first] = await this.one(
      filter,
      SOURCES.firstResolution,
      `${durations('resolution_seconds', 'resolution_business_seconds')} AS first_resolution`,
    );
    const [full] = await this.one(
      filter,
      SOURCES.fullResolution,
      `${durations('resolution_seconds', 'resolution_business_seconds')} AS full_resolution,
       ${durations('active_resolution_seconds', 'active_resolution_business_seconds')} AS active_resolution`,
    );
    return [{ ...first, ...full }];
  }

  /** Next-reply samples, placed in the period by their cycle's start and attributed to who replied. */
  private async nextReply(filter: ReportFilter, perAgent: boolean): Promise<Array<Record<string, unknown>>> {
    const sql = new Sql();
    const where = this.where(sql, { ...filter, agentId: undefined }, SOURCES.cycles);
    const agent = filter.agentId ? `AND s.agent_id = ${sql.value(filter.agentId)}` : '';
    return this.dataSource.query(
      `SELECT ${perAgent ? 's.agent_id,' : ''} ${durations('s.seconds', 's.business')} AS next_reply
         FROM conversation_metrics m,
              unnest(m.next_reply_seconds, m.next_reply_business_seconds, m.next_reply_agent_ids)
                AS s(seconds, business, agent_id)
        WHERE ${where} ${agent}
        ${perAgent ? 'GROUP BY s.agent_id' : ''}`,
      sql.params,
    );
  }

  /** Attainment per target: met / (met + breached); a target still running is not counted. */
  private async sla(filter: ReportFilter): Promise<Record<string, unknown>> {
    const [first] = await this.one(
      filter,
      SOURCES.slaFirstResponse,
      metOrBreached('first_response_at', 'frt_due_at'),
    );
    const [resolution] = await this.one(
      filter,
      SOURCES.slaResolution,
      metOrBreached('resolved_at', 'resolution_due_at'),
    );
    const [next] = await this.one(
      filter,
      SOURCES.slaNextReply,
      `coalesce(sum(next_reply_targets - next_reply_breaches), 0)::int AS met,
       coalesce(sum(next_reply_breaches), 0)::int
         + count(*) FILTER (WHERE open_wait_due_at < now())::int AS breached`,
    );
    const attainment = (row: Record<string, unknown>) => {
      const met = Number(row.met);
      const breached = Number(row.breached);
      return { met, breached, rate: met + breached ? round((100 * met) / (met + breached)) : null };
    };
    return {
      firstResponse: attainment(first),
      nextReply: attainment(next),
      resolution: attainment(resolution),
    };
  }

  private where(sql: Sql, filter: ReportFilter, source: MetricSource): string {
    const parts = [
      `m.workspace_id = ${sql.value(filter.workspaceId)}`,
      `m.${source.at} >= ${sql.value(filter.from)}`,
      `m.${source.at} < ${sql.value(filter.to)}`,
      source.where,
    ];
    if (filter.channel) parts.push(`m.channel = ${sql.value(filter.channel)}`);
    if (filter.inboxId) parts.push(`m.inbox_id = ${sql.value(filter.inboxId)}`);
    if (filter.teamId) parts.push(`m.team_id = ${sql.value(filter.teamId)}`);
    if (filter.agentId) parts.push(`m.${source.agent} = ${sql.value(filter.agentId)}`);
    if (filter.label) {
      parts.push(`EXISTS (SELECT 1 FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
                    WHERE cl.conversation_id = m.conversation_id AND l.name = ${sql.value(filter.label)})`);
    }
    return parts.join(' AND ');
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

type SeriesMetric = (typeof SERIES_METRICS)[number];

const SERIES: Record<SeriesMetric, { source: keyof typeof SOURCES; select: string }> = {
  volume: { source: 'opened', select: `count(*)::int AS opened` },
  first_response: {
    source: 'firstResponse',
    select: `${durations('frt_seconds', 'frt_business_seconds')} AS value`,
  },
  first_resolution: {
    source: 'firstResolution',
    select: `${durations('resolution_seconds', 'resolution_business_seconds')} AS value`,
  },
  full_resolution: {
    source: 'fullResolution',
    select: `${durations('resolution_seconds', 'resolution_business_seconds')} AS value`,
  },
  fcr: {
    source: 'fcr',
    select: FCR_COUNTS,
  },
  reopen: {
    source: 'fcr',
    select: `count(*)::int AS resolved, count(*) FILTER (WHERE reopened)::int AS reopened`,
  },
  handle_time: { source: 'resolved', select: `${stats('handle_seconds')} AS value` },
  sla_first_response: {
    source: 'slaFirstResponse',
    select: metOrBreached('first_response_at', 'frt_due_at'),
  },
};
