import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import type { Channel } from '@parley/realtime';
import { ASSIGNMENT_KINDS } from './metrics-fold.js';
import { GRAIN, grainFor, HOURLY_GRAIN } from './rollups.repository.js';

export interface ReportFilter {
  workspaceId: string;
  from: Date;
  to: Date;
  channel?: Channel;
  inboxId?: string;
  teamId?: string;
  agentId?: string;
  label?: string;
}

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

  /**
   * A statement made of some of the fragments: its placeholders renumbered from $1 and the values
   * it uses (PostgreSQL refuses a value whose placeholder is not in the text).
   */
  statement(text: string): [string, unknown[]] {
    const used = new Map<number, number>();
    const renumbered = text.replace(/\$(\d+)\b/g, (_, index: string) => {
      const at = Number(index);
      if (!used.has(at)) used.set(at, used.size + 1);
      return `$${used.get(at)}`;
    });
    return [renumbered, [...used.keys()].map((at) => this.params[at - 1])];
  }
}

/**
 * The figures that depend on the clock: never rolled up, counted from the few rows concerned. Each scan
 * reads its rows through a partial index (migration 1765300000000), places them at `at`, attributes them
 * to `agent` and counts each of its facts among them (`true`: every row).
 */
const LIVE_SCANS: Array<{ at: string; agent: string; rows: string; facts: Record<string, string> }> = [
  {
    at: 'resolved_at',
    agent: 'resolved_by',
    rows: 'm.cycle = 0 AND m.fcr_window_ends_at > now()',
    facts: { fcr_undecided: 'true', fcr_pending: 'm.fcr_candidate' },
  },
  {
    at: 'frt_due_at',
    agent: 'first_responder_id',
    rows: 'm.first_response_at IS NULL AND m.frt_due_at >= now()',
    facts: { sla_frt_not_due: 'true' },
  },
  {
    at: 'resolution_due_at',
    agent: 'resolved_by',
    rows: 'm.resolved_at IS NULL AND m.resolution_due_at >= now()',
    facts: { sla_resolution_not_due: 'true' },
  },
  {
    at: 'started_at',
    agent: 'assignee_id',
    rows: 'm.sla_policy_id IS NOT NULL AND m.open_wait_due_at >= now()',
    facts: { sla_open_waits_not_due: 'true' },
  },
];
const LIVE_FACTS = new Set(LIVE_SCANS.flatMap((scan) => Object.keys(scan.facts)));

/** Every time a fact can be placed by (`metrics_facts`), each with an index on (workspace_id, column). */
const PLACED_BY = ['started_at', 'first_response_at', 'resolved_at', 'frt_due_at', 'resolution_due_at'];

const DISTRIBUTION_BUCKETS = [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600];

/** `metrics_bucket`: values under 50 are exact, then buckets 4 % wide; a bucket reads as its geometric middle. */
const EXACT_BELOW = 50;
const BUCKET_RATIO = 1.04;

type Group = { by: 'none' } | { by: 'agent' } | { by: 'period'; interval: Interval };

/** One metric summed over the rollup rows and rows of a group: row count, sum of values, histogram. */
interface Tally {
  n: number;
  total: number;
  /** Rows by bucket: the parts of one bucket (rollups, rows added and subtracted) summed. */
  buckets: Map<number, number>;
}

/** Tallies by metric, for one group. */
class Tallies {
  constructor(private readonly byMetric = new Map<string, Tally>()) {}

  add(metric: string, bucket: number, n: number, total: number): void {
    const tally = this.byMetric.get(metric) ?? { n: 0, total: 0, buckets: new Map<number, number>() };
    tally.n += n;
    tally.total += total;
    tally.buckets.set(bucket, (tally.buckets.get(bucket) ?? 0) + n);
    this.byMetric.set(metric, tally);
  }

  /** How many rows (or samples) have the fact. */
  n(metric: string): number {
    return this.byMetric.get(metric)?.n ?? 0;
  }

  /** The sum of the fact's values. */
  total(metric: string): number {
    return this.byMetric.get(metric)?.total ?? 0;
  }

  /** The mean of the fact's values, rounded like PostgreSQL's round(numeric) (half away from zero). */
  mean(metric: string, digits: number): number | null {
    const n = this.n(metric);
    if (!n) return null;
    const total = this.total(metric);
    const scale = 10 ** digits;
    return (Math.sign(total) * Math.floor((2 * scale * Math.abs(total) + n) / (2 * n))) / scale;
  }

  /** Count, exact mean, and median and p90 interpolated like percentile_cont over the histogram. */
  stats(metric: string): Stats {
    const count = this.n(metric);
    if (!count) return { count: 0, mean: null, median: null, p90: null };
    const buckets = [...(this.byMetric.get(metric)?.buckets ?? [])]
      .filter(([, n]) => n !== 0)
      .sort(([a], [b]) => a - b);
    const valueAt = (rank: number): number => {
      let seen = 0;
      for (const [bucket, n] of buckets) {
        seen += n;
        if (rank < seen) return bucketValue(bucket);
      }
      return bucketValue(buckets[buckets.length - 1][0]);
    };
    const percentile = (p: number) => {
      const position = p * (count - 1);
      const low = valueAt(Math.floor(position));
      return round(low + (position - Math.floor(position)) * (valueAt(Math.ceil(position)) - low));
    };
    return { count, mean: this.mean(metric, 1), median: percentile(0.5), p90: percentile(0.9) };
  }

  durations(calendar: string, business: string): DurationStats {
    return { calendar: this.stats(calendar), business: this.stats(business) };
  }

  /** Buckets counted by index (the distribution's fixed bounds). */
  counts(metric: string): Map<number, number> {
    return new Map(this.byMetric.get(metric)?.buckets);
  }
}

function bucketValue(bucket: number): number {
  return bucket < EXACT_BELOW ? bucket : EXACT_BELOW * BUCKET_RATIO ** (bucket - EXACT_BELOW + 0.5);
}

/**
 * How a period is read (docs/metrics.md#daily-rollups): the rollups of the local days [first, end), plus
 * the facts of the rows placed in `add`, minus those placed in `subtract`. A partial day at either end is
 * read from its rows, or — when the part of that day outside the period is the shorter one (a period
 * ending now: the rest of today is mostly in the future) — as the day's rollup minus the rows outside.
 * Null when the period lies within one local day (all of it from the rows).
 */
interface RollupPlan {
  first: string;
  end: string;
  add: Array<[Date, Date]>;
  subtract: Array<[Date, Date]>;
}

function rollupPlan(from: Date, to: Date, zone: string): RollupPlan | null {
  let start = DateTime.fromJSDate(from, { zone }).startOf('day');
  if (start.toMillis() < from.getTime()) start = start.plus({ days: 1 }).startOf('day');
  let stop = DateTime.fromJSDate(to, { zone }).startOf('day');
  if (!start.isValid || !stop.isValid || stop < start) return null;
  const plan: RollupPlan = { first: '', end: '', add: [], subtract: [] };
  if (from < start.toJSDate()) {
    const dayStart = start.minus({ days: 1 }).startOf('day');
    if (from.getTime() - dayStart.toMillis() < start.toMillis() - from.getTime()) {
      plan.subtract.push([dayStart.toJSDate(), from]);
      start = dayStart;
    } else plan.add.push([from, start.toJSDate()]);
  }
  if (stop.toJSDate() < to) {
    const dayEnd = stop.plus({ days: 1 }).startOf('day');
    if (dayEnd.toMillis() - to.getTime() < to.getTime() - stop.toMillis()) {
      plan.subtract.push([to, dayEnd.toJSDate()]);
      stop = dayEnd;
    } else plan.add.push([stop.toJSDate(), to]);
  }
  plan.first = start.toISODate() ?? '';
  plan.end = stop.toISODate() ?? '';
  return plan;
}

const HOUR_MS = 3_600_000;
/** Memory for a report's aggregation (`SET LOCAL`), above PostgreSQL's default of 4 MB. */
const REPORT_WORK_MEM = '64MB';

/** A piece's whole UTC hours, if any, and the minutes at its edges outside them. */
function byHours([from, to]: [Date, Date]): { hours: [Date, Date] | null; edges: Array<[Date, Date]> } {
  const first = Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS;
  const last = Math.floor(to.getTime() / HOUR_MS) * HOUR_MS;
  if (first >= last) return { hours: null, edges: [[from, to]] };
  const edges: Array<[Date, Date]> = [];
  if (from.getTime() < first) edges.push([from, new Date(first)]);
  if (last < to.getTime()) edges.push([new Date(last), to]);
  return { hours: [new Date(first), new Date(last)], edges };
}

function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** FCR: final once the window has closed, pending before (METRICS.md). */
function fcrCounts(t: Tallies): { fcr: number; decided: number; pending: number } {
  return {
    fcr: t.n('fcr_candidates') - t.n('fcr_pending'),
    decided: t.n('fcr_rows') - t.n('fcr_undecided'),
    pending: t.n('fcr_pending'),
  };
}

/** An SLA target met before its due time, or breached (also when still undone past it). */
function metOrBreached(t: Tallies, target: 'frt' | 'resolution'): { met: number; breached: number } {
  const breached = t.n(`sla_${target}_late`) + t.n(`sla_${target}_undone`) - t.n(`sla_${target}_not_due`);
  return { met: t.n(`sla_${target}_met`), breached };
}

const FCR_METRICS = ['fcr_rows', 'fcr_candidates', 'fcr_undecided', 'fcr_pending'];
const sla = (target: 'frt' | 'resolution') =>
  ['met', 'late', 'undone', 'not_due'].map((part) => `sla_${target}_${part}`);
const both = (metric: string) => [metric, `${metric}_business`];

const SUMMARY_METRICS = [
  'opened',
  'reopened_cycles',
  'customer_messages',
  'resolved_conversations',
  ...both('frt'),
  ...both('next_reply'),
  ...both('first_resolution'),
  ...both('full_resolution'),
  ...both('active_resolution'),
  ...FCR_METRICS,
  'fcr_reopened',
  ...sla('frt'),
  ...sla('resolution'),
  'sla_next_met',
  'sla_next_breached',
  'sla_open_waits',
  'sla_open_waits_not_due',
  'resolved_cycles',
  'channel_switches',
  'resolved_customer_messages',
  'repeat_contacts',
  'handle',
];

/**
 * Report queries: whole local days from the daily rollups (`metrics_rollups`: `metrics_daily` and the
 * changes journaled since the last fold-in), the partial days at the
 * period's ends from `conversation_metrics` through the same fact definitions, and the clock-dependent
 * outcomes from the rows they concern (docs/metrics.md#daily-rollups).
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async timezone(workspaceId: string): Promise<string> {
    const rows: Array<{ timezone: string }> = await this.dataSource.query(
      `SELECT timezone FROM workspaces WHERE id = $1`,
      [workspaceId],
    );
    return rows[0]?.timezone ?? 'UTC';
  }

  /** Every summary figure for the period, in one query. */
  async summary(filter: ReportFilter): Promise<Record<string, unknown>> {
    const t = (await this.tallies(filter, SUMMARY_METRICS, { by: 'none' })).get('') ?? new Tallies();
    const rate = (part: number, whole: number): number | null => (whole ? round((100 * part) / whole) : null);
    const fcr = fcrCounts(t);
    const attainment = ({ met, breached }: { met: number; breached: number }) => ({
      met,
      breached,
      rate: rate(met, met + breached),
    });
    return {
      period: { from: filter.from.toISOString(), to: filter.to.toISOString() },
      volume: {
        opened: t.n('opened'),
        reopened: t.n('reopened_cycles'),
        customerMessages: t.total('customer_messages'),
        resolved: t.n('resolved_conversations'),
      },
      firstResponse: t.durations('frt', 'frt_business'),
      nextReply: t.durations('next_reply', 'next_reply_business'),
      firstResolution: t.durations('first_resolution', 'first_resolution_business'),
      fullResolution: t.durations('full_resolution', 'full_resolution_business'),
      activeResolution: t.durations('active_resolution', 'active_resolution_business'),
      fcr: { rate: rate(fcr.fcr, fcr.decided), ...fcr },
      reopen: { rate: rate(t.n('fcr_reopened'), t.n('fcr_rows')), reopened: t.n('fcr_reopened') },
      handleTime: t.stats('handle'),
      effort: {
        channelSwitchesMean: t.n('resolved_cycles') ? t.mean('channel_switches', 2) : null,
        customerMessagesMean: t.n('resolved_cycles') ? t.mean('resolved_customer_messages', 2) : null,
        repeatContacts: t.n('repeat_contacts'),
        repeatContactRate: rate(t.n('repeat_contacts'), t.n('resolved_conversations')),
      },
      sla: {
        firstResponse: attainment(metOrBreached(t, 'frt')),
        nextReply: attainment({
          met: t.total('sla_next_met'),
          breached: t.total('sla_next_breached') + t.n('sla_open_waits') - t.n('sla_open_waits_not_due'),
        }),
        resolution: attainment(metOrBreached(t, 'resolution')),
      },
    };
  }

  /** One metric as a time series in the workspace's time zone; periods without its rows are left out. */
  async series(
    filter: ReportFilter,
    metric: SeriesMetric,
    interval: Interval,
  ): Promise<Array<Record<string, unknown>>> {
    const spec = SERIES[metric];
    const groups = await this.tallies(filter, spec.metrics, { by: 'period', interval });
    return [...groups.entries()]
      .filter(([, t]) => spec.present.some((name) => t.n(name) > 0))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([period, t]) => ({ period, ...spec.point(t) }));
  }

  /** Counts per duration bucket (under 1 min, 1–5 min, … over 3 days). */
  async distribution(
    filter: ReportFilter,
    metric: 'first_response' | 'full_resolution',
  ): Promise<Array<{ upTo: number | null; count: number }>> {
    const name = metric === 'first_response' ? 'frt_bounds' : 'full_resolution_bounds';
    const t = (await this.tallies(filter, [name], { by: 'none' })).get('') ?? new Tallies();
    const counts = t.counts(name);
    return [...DISTRIBUTION_BUCKETS, null].map((upTo, index) => ({ upTo, count: counts.get(index) ?? 0 }));
  }

  /** Per agent: resolved, FRT and next reply (to who replied), handle time, FCR (to who resolved). */
  async leaderboard(filter: ReportFilter): Promise<Array<Record<string, unknown>>> {
    const members: Array<{ id: string; name: string }> = await this.dataSource.query(
      `SELECT u.id, u.name FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ms.workspace_id = $1 ORDER BY u.name`,
      [filter.workspaceId],
    );
    const byAgent = await this.tallies(
      { ...filter, agentId: undefined },
      ['resolved_cycles', ...FCR_METRICS, 'frt', 'agent_handle', ...both('next_reply')],
      { by: 'agent' },
    );
    return members.map((member) => {
      const t = byAgent.get(member.id) ?? new Tallies();
      const fcr = fcrCounts(t);
      return {
        agentId: member.id,
        name: member.name,
        resolved: t.n('resolved_cycles'),
        fcrRate: fcr.decided ? round((100 * fcr.fcr) / fcr.decided) : null,
        firstResponse: t.n('frt') ? t.stats('frt') : null,
        nextReply: t.n('next_reply') ? t.durations('next_reply', 'next_reply_business') : null,
        handleSeconds: t.total('agent_handle'),
      };
    });
  }

  /**
   * Conversations opened in the period: how many were assigned, how long that took (calendar
   * seconds), how many bounced (assigned more than once), and their assignments by kind.
   */
  async assignment(filter: ReportFilter): Promise<Record<string, unknown>> {
    const kinds = ASSIGNMENT_KINDS.map((kind) => `assignments_${kind}`);
    const t =
      (await this.tallies(filter, ['opened', 'assign', 'assign_bounced', ...kinds], { by: 'none' })).get(
        '',
      ) ?? new Tallies();
    const { median, p90, mean } = t.stats('assign');
    return {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
      conversationsOpened: t.n('opened'),
      conversationsAssigned: t.n('assign'),
      timeToAssignSeconds: { median, p90, mean },
      bouncedConversations: t.n('assign_bounced'),
      assignments: Object.fromEntries(ASSIGNMENT_KINDS.map((kind) => [kind, t.total(`assignments_${kind}`)])),
    };
  }

  /** The cycles of the period (by start), for CSV export, in start order. */
  async cycles(filter: ReportFilter, limit: number): Promise<Array<Record<string, unknown>>> {
    const sql = new Sql();
    const where = [
      `m.workspace_id = ${sql.value(filter.workspaceId)}`,
      `m.started_at >= ${sql.value(filter.from)}`,
      `m.started_at < ${sql.value(filter.to)}`,
      ...dimensions(sql, filter, 'm'),
      ...(filter.agentId ? [`m.assignee_id = ${sql.value(filter.agentId)}`] : []),
      ...labelled(sql, filter),
    ].join(' AND ');
    return this.dataSource.query(
      `SELECT conversation_id, cycle, channel, inbox_id, team_id, assignee_id, started_at, first_customer_at,
              first_response_at, frt_seconds, frt_business_seconds, resolved_at, resolved_by, auto_resolved,
              resolution_seconds, resolution_business_seconds, active_resolution_seconds, reopened,
              agent_replies, customer_messages, channel_switches, handle_seconds, fcr_candidate,
              fcr_window_ends_at, repeat_contact, sla_policy_id, frt_due_at, resolution_due_at,
              next_reply_targets, next_reply_breaches
         FROM conversation_metrics m WHERE ${where}
        ORDER BY started_at, conversation_id, cycle LIMIT ${sql.value(limit)}`,
      sql.params,
    );
  }

  /**
   * The queue right now, in one statement: the unresolved conversations counted by status and
   * assignee (an index-only scan of `conversations_queue_idx`, in group order) give the counts and
   * every agent's load; the waiting ones, counted with the oldest wait, are a range of
   * `conversations_waiting_idx`.
   */
  async live(workspaceId: string): Promise<Record<string, unknown>> {
    const [row] = await this.dataSource.query<
      Array<{
        queue: Record<string, number>;
        waiting: { n: number; oldest: string | null };
        agents: Array<Record<string, unknown>>;
      }>
    >(
      `WITH queue AS (
         SELECT status, assignee_id, count(*)::int AS n
           FROM conversations WHERE workspace_id = $1 AND status <> 'resolved'
          GROUP BY 1, 2)
       SELECT (SELECT json_build_object(
                 'open', coalesce(sum(n) FILTER (WHERE status = 'open'), 0),
                 'pending', coalesce(sum(n) FILTER (WHERE status = 'pending'), 0),
                 'snoozed', coalesce(sum(n) FILTER (WHERE status = 'snoozed'), 0),
                 'unassigned', coalesce(sum(n) FILTER (WHERE status IN ('open', 'pending') AND assignee_id IS NULL), 0))
                 FROM queue) AS queue,
              (SELECT json_build_object('n', count(*), 'oldest', min(waiting_since)) FROM conversations
                WHERE workspace_id = $1 AND status = 'open' AND waiting_since IS NOT NULL) AS waiting,
              (SELECT coalesce(json_agg(json_build_object('agentId', u.id, 'name', u.name,
                        'availability', ms.availability, 'capacity', ms.capacity, 'load', coalesce(l.load, 0))
                        ORDER BY u.name), '[]')
                 FROM memberships ms JOIN users u ON u.id = ms.user_id
                 LEFT JOIN (SELECT assignee_id, sum(n)::int AS load FROM queue
                             WHERE status IN ('open', 'pending') GROUP BY 1) AS l ON l.assignee_id = ms.user_id
                WHERE ms.workspace_id = $1) AS agents`,
      [workspaceId],
    );
    const oldest = row.waiting.oldest ? new Date(row.waiting.oldest) : null;
    return {
      at: new Date().toISOString(),
      ...row.queue,
      waiting: row.waiting.n,
      longestWaitSeconds: oldest ? Math.round((Date.now() - oldest.getTime()) / 1000) : null,
      agentsOnline: row.agents.filter((agent) => agent.availability === 'online').length,
      agents: row.agents,
    };
  }

  /**
   * The metrics of the period, summed per group, from four kinds of parts: the rollup rows of the
   * local days of the plan, at the coarsest grain the filter allows (and hourly rows); the facts of the
   * rows placed in the partial days read from their rows (all of the period with a label filter, or
   * while the rollups are cut in an older time zone); minus those placed outside the period in the
   * partial days read from their rollup; and the clock-dependent facts of the rows that have any. The
   * rollup parts and the row parts are two statements, run at once on two connections.
   */
  private async tallies(
    filter: ReportFilter,
    metrics: string[],
    group: Group,
  ): Promise<Map<string, Tallies>> {
    const [zones]: Array<{ timezone: string; rollup_zone: string | null }> = await this.dataSource.query(
      `SELECT w.timezone, z.timezone AS rollup_zone
         FROM workspaces w LEFT JOIN metrics_daily_zones z ON z.workspace_id = w.id WHERE w.id = $1`,
      [filter.workspaceId],
    );
    const timezone = zones?.timezone ?? 'UTC';
    const plan: RollupPlan = (filter.label || zones?.rollup_zone !== timezone
      ? null
      : rollupPlan(filter.from, filter.to, timezone)) ?? {
      first: '',
      end: '',
      add: [[filter.from, filter.to]],
      subtract: [],
    };
    const stored = metrics.filter((metric) => !LIVE_FACTS.has(metric));
    const sql = new Sql();
    const ws = sql.value(filter.workspaceId);
    const agent = (column: string) => (filter.agentId ? [`${column} = ${sql.value(filter.agentId)}`] : []);
    // Rollup rows on one side, metrics rows on the other: two statements on two connections.
    const parts: Record<'rollups' | 'rows', string[]> = { rollups: [], rows: [] };
    if (plan.first < plan.end && stored.length) {
      const where = [
        `d.workspace_id = ${ws}`,
        `d.grain = ${grainFor(neededGrain(filter, group))}`,
        `d.metric = ANY(${sql.value(stored)}::text[])`,
        `d.day >= ${sql.value(plan.first)}::date`,
        `d.day < ${sql.value(plan.end)}::date`,
        ...dimensions(sql, filter, 'd'),
        ...agent('d.agent_id'),
      ];
      parts.rollups.push(
        `SELECT d.day, d.agent_id, d.metric, d.bucket, d.n, d.total FROM metrics_rollups d WHERE ${where.join(' AND ')}`,
      );
    }
    const zone = sql.value(timezone);
    // Whole UTC hours from the hourly grain when nothing is filtered or grouped by, and a period's
    // hours cannot straddle the local days it is grouped by (a daily plan's pieces lie within a day).
    const hourly =
      grainFor(neededGrain(filter, group)) === 0 &&
      !filter.label &&
      (group.by !== 'period' || zones?.rollup_zone === timezone);
    for (const [pieces, sign] of [
      [plan.add, 1],
      [plan.subtract, -1],
    ] as const) {
      if (!pieces.length || !stored.length) continue;
      const split = pieces.map((piece) => (hourly ? byHours(piece) : { hours: null, edges: [piece] }));
      const hours = split.flatMap(({ hours }) => (hours ? [hours] : []));
      if (hours.length) {
        const at = `((d.day + make_interval(hours => d.hour)) AT TIME ZONE 'UTC')`;
        const within = hours.map(
          ([from, to]) =>
            `(d.day BETWEEN ${sql.value(utcDate(from))}::date AND ${sql.value(utcDate(to))}::date
              AND ${at} >= ${sql.value(from)} AND ${at} < ${sql.value(to)})`,
        );
        parts.rollups.push(
          `SELECT (${at} AT TIME ZONE ${zone})::date, NULL::uuid, d.metric, d.bucket, ${sign} * d.n, ${sign} * d.total
             FROM metrics_rollups d
            WHERE d.workspace_id = ${ws} AND d.grain = ${HOURLY_GRAIN} AND d.metric = ANY(${sql.value(stored)}::text[])
              AND (${within.join(' OR ')})`,
        );
      }
      const edges = split.flatMap(({ edges }) => edges);
      if (!edges.length) continue;
      const within = (column: string) =>
        `(${edges.map(([from, to]) => `(${column} >= ${sql.value(from)} AND ${column} < ${sql.value(to)})`).join(' OR ')})`;
      const where = [
        `m.workspace_id = ${ws}`,
        `(${PLACED_BY.map((column) => within(`m.${column}`)).join(' OR ')})`,
        within('f.at'),
        `f.metric = ANY(${sql.value(stored)}::text[])`,
        ...dimensions(sql, filter, 'm'),
        ...labelled(sql, filter),
        ...agent('f.agent_id'),
      ];
      parts.rows.push(
        `SELECT (f.at AT TIME ZONE ${zone})::date, f.agent_id, f.metric, f.bucket, ${sign}::bigint, ${sign} * f.value
           FROM conversation_metrics m CROSS JOIN LATERAL metrics_facts(m) AS f WHERE ${where.join(' AND ')}`,
      );
    }
    const period = (column: string) =>
      `m.${column} >= ${sql.value(filter.from)} AND m.${column} < ${sql.value(filter.to)}`;
    for (const { at, agent: by, rows, facts } of LIVE_SCANS) {
      const counted = Object.keys(facts).filter((metric) => metrics.includes(metric));
      if (!counted.length) continue;
      const where = [
        `m.workspace_id = ${ws}`,
        rows,
        period(at),
        ...dimensions(sql, filter, 'm'),
        ...labelled(sql, filter),
        ...agent(`m.${by}`),
      ];
      const counts = counted.map((metric) => `count(*) FILTER (WHERE ${facts[metric]})`).join(', ');
      parts.rows.push(
        `SELECT s.day, s.agent_id, u.metric, 0, u.n, u.n
           FROM (SELECT (m.${at} AT TIME ZONE ${zone})::date AS day, m.${by} AS agent_id, ARRAY[${counts}] AS n
                   FROM conversation_metrics m WHERE ${where.join(' AND ')} GROUP BY 1, 2) AS s
          CROSS JOIN LATERAL unnest(${sql.value(counted)}::text[], s.n) AS u(metric, n)`,
      );
    }
    // Grouped by the column itself (a uuid hashes faster than its text), named after.
    const [key, grouping] =
      group.by === 'none'
        ? [`''`, `c.metric, c.bucket`]
        : group.by === 'agent'
          ? [`c.agent_id::text`, `c.agent_id, c.metric, c.bucket`]
          : [`to_char(date_trunc(${sql.value(group.interval)}, c.day::timestamp), 'YYYY-MM-DD')`, `1, 2, 3`];
    // The planner reckons each metrics row of a partial day at a hundred facts or more, and with the
    // default 4 MB of work_mem then sorts the parts to group them, spilling to disk (docs/benchmarks.md):
    // room for the hash it should use, for this transaction only.
    const summed = (side: string[]) =>
      this.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
        const [text, params] = sql.statement(
          `SELECT ${key} AS g, c.metric, c.bucket, sum(c.n)::text AS n, sum(c.total)::text AS total
             FROM (${side.join('\n UNION ALL ')}) AS c(day, agent_id, metric, bucket, n, total)
            GROUP BY ${grouping}`,
        );
        return manager.query<
          Array<{ g: string | null; metric: string; bucket: number; n: string; total: string }>
        >(text, params);
      });
    const sides = [parts.rollups, parts.rows].filter((side) => side.length);
    const rows = (await Promise.all(sides.map(summed))).flat();
    const groups = new Map<string, Tallies>();
    for (const row of rows) {
      if (row.g === null) continue;
      const tallies = groups.get(row.g) ?? new Tallies();
      tallies.add(row.metric, row.bucket, Number(row.n), Number(row.total));
      groups.set(row.g, tallies);
    }
    return groups;
  }
}

/** The dimensions a rollup row must keep for the filter and the grouping (a bit set of GRAIN). */
function neededGrain(filter: ReportFilter, group: Group): number {
  return (
    (filter.inboxId ? GRAIN.inbox : 0) |
    (filter.channel ? GRAIN.channel : 0) |
    (filter.teamId ? GRAIN.team : 0) |
    (filter.agentId || group.by === 'agent' ? GRAIN.agent : 0)
  );
}

/** The channel, inbox and team filters, on rollup rows or metric rows alike. */
function dimensions(sql: Sql, filter: ReportFilter, alias: string): string[] {
  const parts: string[] = [];
  if (filter.channel) parts.push(`${alias}.channel = ${sql.value(filter.channel)}`);
  if (filter.inboxId) parts.push(`${alias}.inbox_id = ${sql.value(filter.inboxId)}`);
  if (filter.teamId) parts.push(`${alias}.team_id = ${sql.value(filter.teamId)}`);
  return parts;
}

/** A label the conversation has now (labels are many-to-many: never rolled up). */
function labelled(sql: Sql, filter: ReportFilter): string[] {
  if (!filter.label) return [];
  return [
    `EXISTS (SELECT 1 FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
              WHERE cl.conversation_id = m.conversation_id AND l.name = ${sql.value(filter.label)})`,
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export const SERIES_METRICS = [
  'volume',
  'first_response',
  'first_resolution',
  'full_resolution',
  'fcr',
  'reopen',
  'handle_time',
  'sla_first_response',
] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

/** Each series: the metrics it reads, those whose rows make a period appear, and its point. */
const SERIES: Record<
  SeriesMetric,
  { metrics: string[]; present: string[]; point: (t: Tallies) => Record<string, unknown> }
> = {
  volume: { metrics: ['opened'], present: ['opened'], point: (t) => ({ opened: t.n('opened') }) },
  first_response: {
    metrics: both('frt'),
    present: ['frt'],
    point: (t) => ({ value: t.durations('frt', 'frt_business') }),
  },
  first_resolution: {
    metrics: both('first_resolution'),
    present: ['first_resolution'],
    point: (t) => ({ value: t.durations('first_resolution', 'first_resolution_business') }),
  },
  full_resolution: {
    metrics: both('full_resolution'),
    present: ['full_resolution'],
    point: (t) => ({ value: t.durations('full_resolution', 'full_resolution_business') }),
  },
  fcr: { metrics: FCR_METRICS, present: ['fcr_rows'], point: fcrCounts },
  reopen: {
    metrics: ['fcr_rows', 'fcr_reopened'],
    present: ['fcr_rows'],
    point: (t) => ({ resolved: t.n('fcr_rows'), reopened: t.n('fcr_reopened') }),
  },
  handle_time: { metrics: ['handle'], present: ['handle'], point: (t) => ({ value: t.stats('handle') }) },
  sla_first_response: {
    metrics: sla('frt'),
    present: ['sla_frt_met', 'sla_frt_late', 'sla_frt_undone'],
    point: (t) => metOrBreached(t, 'frt'),
  },
};
