import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConversationsService, IngestService, type Actor } from '@parley/inbox';
import {
  MetricsService,
  ReportsService,
  RollupsRepository,
  SlaPoliciesService,
  type ReportFilter,
  SERIES_METRICS,
} from '@parley/reporting';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';
import { RowLevelReports } from '../support/row-level-reports.js';

/** A small deterministic generator (LCG), so a failing history can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('metrics: the incremental result equals a rebuild from the event log', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let ingest: IngestService;
  let conversations: ConversationsService;
  let metrics: MetricsService;
  let ws: WorkspaceFixture;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    ingest = moduleRef.get(IngestService);
    conversations = moduleRef.get(ConversationsService);
    metrics = moduleRef.get(MetricsService);
    ws = await createWorkspace(moduleRef);
  });

  afterAll(() => moduleRef.close());

  /** What the worker does after each commit: recompute the touched conversation up to its newest event. */
  async function settle(conversationId: string): Promise<void> {
    const [row] = await db.query<Array<{ seq: string }>>(
      'SELECT max(seq)::text AS seq FROM conversation_events WHERE conversation_id = $1',
      [conversationId],
    );
    await metrics.refresh(ws.workspaceId, conversationId, BigInt(row.seq));
  }

  it('on a randomized history of messages, replies, pending, snoozes, assignments, resolves and reopens', async () => {
    // No reopen window: a message after a resolve opens a new conversation, a repeat contact of the last.
    await db.query(`UPDATE workspaces SET settings = '{"reopenWindowDays": 0}' WHERE id = $1`, [
      ws.workspaceId,
    ]);
    const inboxes = [
      (await ws.addInbox({ channel: 'sms' })).id,
      (await ws.addInbox({ channel: 'whatsapp' })).id,
    ];
    const agents: Actor[] = [
      { type: 'agent', id: (await ws.addMember('agent')).id },
      { type: 'agent', id: (await ws.addMember('agent')).id },
    ];
    const next = random(20261122);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const contacts = ['+14155550101', '+14155550102', '+14155550103', '+14155550104'];
    const latest = new Map<string, string>();
    let external = 0;

    for (let step = 0; step < 160; step += 1) {
      const phone = pick(contacts);
      const conversationId = latest.get(phone);
      const action = conversationId
        ? pick(['message', 'reply', 'reply', 'resolve', 'pending', 'snooze', 'open', 'assign', 'reopen'])
        : 'message';
      let touched = conversationId;
      try {
        switch (action) {
          case 'message': {
            const result = await ingest.ingest({
              workspaceId: ws.workspaceId,
              inboxId: pick(inboxes),
              externalId: `m-${(external += 1)}`,
              identities: [{ kind: 'phone', value: phone }],
              body: 'hello',
            });
            touched = result.conversation.id;
            latest.set(phone, touched);
            break;
          }
          case 'reply':
            await conversations.reply(ws.workspaceId, pick(agents), conversationId as string, {
              body: 'on it',
            });
            break;
          case 'resolve':
            await conversations.resolve(ws.workspaceId, pick(agents), conversationId as string);
            break;
          case 'pending':
          case 'open':
            await conversations.setStatus(ws.workspaceId, pick(agents), conversationId as string, action);
            break;
          case 'snooze':
            await conversations.snooze(
              ws.workspaceId,
              pick(agents),
              conversationId as string,
              new Date(Date.now() + 3_600_000),
            );
            break;
          case 'assign':
            await conversations.assign(ws.workspaceId, pick(agents), conversationId as string, {
              assigneeId: pick(agents).id,
            });
            break;
          case 'reopen':
            await conversations.reopen(ws.workspaceId, pick(agents), conversationId as string);
            break;
        }
      } catch (error) {
        // Invalid transitions (resolving a resolved conversation…) are refused and change nothing.
        expect((error as Error).name).toBe('InboxError');
      }
      if (touched) await settle(touched);
    }

    const [shape] = await db.query<Array<Record<string, number>>>(
      `SELECT count(DISTINCT conversation_id)::int AS conversations, count(*)::int AS cycles,
              count(*) FILTER (WHERE reopened)::int AS reopened,
              count(*) FILTER (WHERE repeat_contact)::int AS repeats,
              count(*) FILTER (WHERE pending_seconds + snoozed_seconds > 0 OR active_resolution_seconds IS NOT NULL)::int AS paused,
              count(*) FILTER (WHERE cardinality(next_reply_seconds) > 0)::int AS with_next_reply,
              count(*) FILTER (WHERE handle_by_agent <> '{}')::int AS handled
         FROM conversation_metrics WHERE workspace_id = $1`,
      [ws.workspaceId],
    );
    // The history exercised the rules it is meant to compare.
    expect(shape.conversations).toBeGreaterThan(4);
    expect(shape.cycles).toBeGreaterThan(shape.conversations);
    expect(shape.reopened).toBeGreaterThan(0);
    expect(shape.repeats).toBeGreaterThan(0);
    expect(shape.with_next_reply).toBeGreaterThan(0);
    expect(shape.handled).toBeGreaterThan(0);

    // The folds journaled their rollup changes (nothing here runs the worker's fold-in): reports read
    // them already — whole days and the whole hours of today up to the next one come from the rollups —
    // and folding them into metrics_daily changes no figure.
    const pending = async () =>
      (
        await db.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM metrics_daily_pending WHERE workspace_id = $1`,
          [ws.workspaceId],
        )
      )[0].n;
    expect(await pending()).toBeGreaterThan(0);
    const hour = 3_600_000;
    const period = {
      workspaceId: ws.workspaceId,
      from: new Date(Math.floor(Date.now() / (24 * hour)) * 24 * hour - 3 * 24 * hour),
      to: new Date(Math.ceil(Date.now() / hour) * hour),
    };
    const journaled = await moduleRef.get(ReportsService).summary(period);
    expect((journaled.volume as { opened: number }).opened).toBe(shape.conversations);
    expect(await metrics.foldInRollups()).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    expect(await moduleRef.get(ReportsService).summary(period)).toEqual(journaled);
    expect(await metrics.foldInRollups()).toBe(0);

    const report = await metrics.rebuild(ws.workspaceId);
    expect(report.conversations).toBe(shape.conversations);
    expect(report.cycles).toBe(shape.cycles);
    expect(report.mismatched).toEqual([]);
    expect(report.rollupMismatches).toBe(0);
  }, 300_000);

  it('notices rows that drifted from the log, and repairs them', async () => {
    const [row] = await db.query<Array<{ conversation_id: string }>>(
      'SELECT conversation_id FROM conversation_metrics WHERE workspace_id = $1 LIMIT 1',
      [ws.workspaceId],
    );
    await db.query(
      'UPDATE conversation_metrics SET agent_replies = agent_replies + 7 WHERE conversation_id = $1',
      [row.conversation_id],
    );
    expect((await metrics.rebuild(ws.workspaceId)).mismatched).toEqual([row.conversation_id]);
    expect((await metrics.rebuild(ws.workspaceId)).mismatched).toEqual([]);
  });

  it('keeps the daily rollups equal to the rows, and the reports equal to the row-level ones', async () => {
    // Spread the history over two weeks (whole days and partial ones), under an SLA policy and a half-hour time zone.
    await moduleRef.get(SlaPoliciesService).create(ws.workspaceId, {
      name: 'Everything',
      firstResponseSeconds: 3 * 86_400,
      nextReplySeconds: 2 * 86_400,
      resolutionSeconds: 5 * 86_400,
      businessHours: false,
    });
    await db.query(`UPDATE workspaces SET timezone = 'Asia/Kolkata' WHERE id = $1`, [ws.workspaceId]);
    await moduleRef.get(RollupsRepository).rebuild(ws.workspaceId); // cut the days in the new zone
    const shift = `make_interval(days => (abs(hashtext(c.id::text)) % 13), hours => (abs(hashtext(c.id::text)) % 24))`;
    await db.query(
      `UPDATE conversation_events e SET occurred_at = e.occurred_at - ${shift} FROM conversations c
        WHERE c.id = e.conversation_id AND c.workspace_id = $1`,
      [ws.workspaceId],
    );
    await db.query(
      `UPDATE conversations c SET opened_at = c.opened_at - ${shift} WHERE c.workspace_id = $1`,
      [ws.workspaceId],
    );
    const [label] = await db.query<Array<{ id: string }>>(
      `INSERT INTO labels (workspace_id, name) VALUES ($1, 'vip') RETURNING id`,
      [ws.workspaceId],
    );
    await db.query(
      `INSERT INTO conversation_labels (workspace_id, conversation_id, label_id)
       SELECT workspace_id, id, $2 FROM conversations WHERE workspace_id = $1 AND abs(hashtext(id::text)) % 3 = 0`,
      [ws.workspaceId, label.id],
    );

    // Every conversation moves (days, SLA due times): the rollups follow through the incremental deltas alone.
    const moved = await metrics.rebuild(ws.workspaceId);
    expect(moved.mismatched.length).toBeGreaterThan(0);
    expect(moved.rollupMismatches).toBe(0);
    expect((await metrics.rebuild(ws.workspaceId)).rollupMismatches).toBe(0);

    // The rollups against aggregations written straight over the rows.
    const rollup = async (metric: string, grain: number) =>
      db.query<Array<{ day: string; agent: string | null; n: number; total: number }>>(
        `SELECT day::text, agent_id AS agent, sum(n)::int AS n, sum(total)::int AS total FROM metrics_daily
          WHERE workspace_id = $1 AND metric = $2 AND grain = $3
          GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2`,
        [ws.workspaceId, metric, grain],
      );
    const direct = async (select: string, from = 'conversation_metrics m') =>
      db.query<Array<{ day: string; agent: string | null; n: number; total: number }>>(
        `SELECT * FROM (${select} FROM ${from} WHERE m.workspace_id = $1 GROUP BY 1, 2) AS d(day, agent, n, total) ORDER BY 1, 2`,
        [ws.workspaceId],
      );
    const day = (column: string) => `(${column} AT TIME ZONE 'Asia/Kolkata')::date::text`;
    expect(await rollup('opened', 7)).toEqual(
      await direct(`SELECT ${day('started_at')}, NULL::uuid, count(*) FILTER (WHERE cycle = 0)::int,
                           count(*) FILTER (WHERE cycle = 0)::int`).then((rows) =>
        rows.filter((row) => row.n),
      ),
    );
    expect(await rollup('frt', 15)).toEqual(
      await direct(`SELECT ${day('first_response_at')}, first_responder_id, count(frt_seconds)::int,
                           sum(frt_seconds)::int`).then((rows) => rows.filter((row) => row.n)),
    );
    expect(await rollup('next_reply', 15)).toEqual(
      await direct(
        `SELECT ${day('started_at')}, s.agent_id, count(*)::int, sum(s.seconds)::int`,
        `conversation_metrics m, unnest(m.next_reply_seconds, m.next_reply_agent_ids) AS s(seconds, agent_id)`,
      ),
    );
    expect(await rollup('agent_handle', 15)).toEqual(
      await direct(
        `SELECT ${day('resolved_at')}, h.key::uuid, count(*)::int, sum(h.value::int)::int`,
        `conversation_metrics m, jsonb_each_text(m.handle_by_agent) AS h`,
      ).then((rows) => rows.filter((row) => row.day !== null)),
    );

    // Every grain sums to the same facts, day by day (migration 1765500000000).
    const grains = await db.query<Array<{ grain: number; n: string; total: string }>>(
      `SELECT grain, sum(n)::text AS n, sum(total)::text AS total FROM metrics_daily
        WHERE workspace_id = $1 AND grain <> 16 GROUP BY grain, metric, day ORDER BY metric, day, grain`,
      [ws.workspaceId],
    );
    expect(new Set(grains.map((row) => row.grain))).toEqual(new Set([0, 1, 2, 4, 7, 8, 15]));
    for (let k = 0; k < grains.length; k += 7) {
      expect(new Set(grains.slice(k, k + 7).map((row) => `${row.n}/${row.total}`)).size).toBe(1);
    }
    // The hourly grain (migration 1765610000000) holds the same facts, hour by hour.
    const hourly = await db.query<Array<{ metric: string; hourly: string; daily: string; hours: number }>>(
      `SELECT metric, sum(n) FILTER (WHERE grain = 16)::text || '/' || sum(total) FILTER (WHERE grain = 16) AS hourly,
              sum(n) FILTER (WHERE grain = 0)::text || '/' || sum(total) FILTER (WHERE grain = 0) AS daily,
              count(DISTINCT (day, hour)) FILTER (WHERE grain = 16)::int AS hours
         FROM metrics_daily WHERE workspace_id = $1 AND grain IN (0, 16) GROUP BY metric`,
      [ws.workspaceId],
    );
    for (const row of hourly) expect(row.hourly).toBe(row.daily);
    expect(Math.max(...hourly.map((row) => row.hours))).toBeGreaterThan(1);

    // Reports from the rollups against the queries over the rows they replace.
    const reports = moduleRef.get(ReportsService);
    const oracle = new RowLevelReports(db);
    const [{ agent, inbox }] = await db.query<Array<{ agent: string; inbox: string }>>(
      `SELECT resolved_by AS agent, inbox_id AS inbox FROM conversation_metrics
        WHERE workspace_id = $1 AND resolved_by IS NOT NULL LIMIT 1`,
      [ws.workspaceId],
    );
    // Half the rows get a team (the history has none), so the team grain holds something to compare.
    const [{ id: team }] = await db.query<Array<{ id: string }>>(
      `INSERT INTO teams (workspace_id, name) VALUES ($1, 'Rollup team') RETURNING id`,
      [ws.workspaceId],
    );
    await db.query(
      `UPDATE conversation_metrics SET team_id = $2 WHERE workspace_id = $1 AND hashtext(conversation_id::text) % 2 = 0`,
      [ws.workspaceId, team],
    );
    expect((await moduleRef.get(RollupsRepository).rebuild(ws.workspaceId)).mismatchedCells).toBeGreaterThan(
      0,
    );
    const now = Date.now();
    const periods = [
      { from: new Date(now - 15 * 86_400_000), to: new Date(now + 60_000) },
      { from: new Date(now - 9.3 * 86_400_000), to: new Date(now - 2.6 * 86_400_000) },
      { from: new Date('2026-01-01T00:00:00Z'), to: new Date(now - 3 * 3_600_000) },
    ];
    // Partial days read both ways whatever the clock: from their rows (most of the day inside the period)
    // and as the day's rollup minus the rows outside (most of it outside). Asia/Kolkata has no DST.
    const hour = 3_600_000;
    const midnight = Math.floor((now + 5.5 * hour) / (24 * hour)) * 24 * hour - 5.5 * hour;
    periods.push(
      { from: new Date(midnight - 12 * 24 * hour + 2 * hour), to: new Date(midnight - 2 * hour) },
      { from: new Date(midnight - 12 * 24 * hour + 22 * hour), to: new Date(midnight - 22 * hour) },
    );
    // An hour read from the hourly grain with minutes of rows either side, cut right after a busy hour.
    const [{ at }] = await db.query<Array<{ at: Date }>>(
      `SELECT resolved_at AS at FROM conversation_metrics
        WHERE workspace_id = $1 AND resolved_at IS NOT NULL ORDER BY resolved_at LIMIT 1`,
      [ws.workspaceId],
    );
    const busy = Math.floor(new Date(at).getTime() / hour) * hour;
    periods.push({ from: new Date(busy - 10 * 60_000), to: new Date(busy + hour + 10 * 60_000) });
    const filters: Array<Partial<ReportFilter>> = [
      {},
      { agentId: agent },
      { inboxId: inbox },
      { channel: 'sms' },
      { teamId: team },
      { channel: 'sms', agentId: agent },
      { label: 'vip' },
    ];
    let compared = 0;
    for (const period of periods) {
      for (const extra of filters) {
        const filter: ReportFilter = { workspaceId: ws.workspaceId, ...period, ...extra };
        const { satisfaction: _, ...summary } = await reports.summary(filter);
        expectSameFigures(summary, await oracle.summary(filter));
        expectSameFigures(
          await reports.distribution(filter, 'first_response'),
          await oracle.distribution(filter, 'first_response'),
        );
        expectSameFigures(
          await reports.distribution(filter, 'full_resolution'),
          await oracle.distribution(filter, 'full_resolution'),
        );
        expectSameFigures(await reports.assignment(filter), await oracle.assignment(filter));
        const board = (await reports.leaderboard(filter)).map(({ csat: _csat, ...row }) => row);
        expectSameFigures(board, await oracle.leaderboard(filter));
        for (const metric of SERIES_METRICS) {
          for (const interval of ['day', 'week'] as const) {
            expectSameFigures(
              await reports.series(filter, metric, interval),
              await oracle.series(filter, metric, interval),
            );
          }
        }
        compared += 1;
      }
    }
    expect(compared).toBe(42);
    // The reports did read the rollups: a drifted rollup row shows, and the refill finds and repairs it.
    const summaryOf = async () =>
      (await reports.summary({ workspaceId: ws.workspaceId, ...periods[0] })).volume as { opened: number };
    const before = await summaryOf();
    await db.query(
      `UPDATE metrics_daily SET n = n + 1000, total = total + 1000
        WHERE ctid = (SELECT ctid FROM metrics_daily WHERE workspace_id = $1 AND metric = 'opened' AND grain = 0
                        AND day > current_date - 10 AND day < current_date - 1 LIMIT 1)`,
      [ws.workspaceId],
    );
    expect(await summaryOf()).toEqual({ ...before, opened: before.opened + 1000 });
    expect((await moduleRef.get(RollupsRepository).rebuild(ws.workspaceId)).mismatchedCells).toBe(1);
    expect(await summaryOf()).toEqual(before);

    // A time zone change: reports read the rows until the rollups are rebuilt in the new zone.
    await db.query(`UPDATE workspaces SET timezone = 'America/New_York' WHERE id = $1`, [ws.workspaceId]);
    const filter: ReportFilter = { workspaceId: ws.workspaceId, ...periods[0] };
    expectSameFigures(
      await reports.series(filter, 'volume', 'day'),
      await oracle.series(filter, 'volume', 'day'),
    );
    expect((await metrics.rebuild(ws.workspaceId)).rollupMismatches).toBeGreaterThan(0);
    expectSameFigures(
      await reports.series(filter, 'volume', 'day'),
      await oracle.series(filter, 'volume', 'day'),
    );
  }, 240_000);
});

/** Equal, except medians and p90s: within the histograms' documented 2 % (and the 0.1 rounding). */
function expectSameFigures(actual: unknown, expected: unknown, path = '$'): void {
  if (expected !== null && typeof expected === 'object') {
    expect(typeof actual).toBe('object');
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const key of keys) {
      expectSameFigures(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  if (/\.(median|p90)$/.test(path) && typeof expected === 'number') {
    if (Math.abs((actual as number) - expected) > 0.02 * Math.abs(expected) + 0.05) {
      throw new Error(`${path}: ${String(actual)} is not within 2 % of ${expected}`);
    }
    return;
  }
  const normal = (value: unknown) =>
    typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  if (normal(actual) !== normal(expected)) {
    throw new Error(`${path}: ${JSON.stringify(actual)} where the rows give ${JSON.stringify(expected)}`);
  }
}
