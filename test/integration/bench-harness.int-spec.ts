import pg from 'pg';
import { runMigrations } from '@parley/database';
import { dropDatabase, recreateDatabase } from '../../bench/lib/database.js';
import { figure, formatTable, quantile } from '../../bench/lib/results.js';
import { benchUuid, CHANNELS, generate } from '../../bench/seed-sql.js';

/**
 * A smoke of the bench harness (never a timing): the set-based seed still fits the schema at a tiny
 * scale, in a throw-away database of its own, and the result rows compute ratios and targets.
 */
describe('bench harness', () => {
  const url = (process.env.DATABASE_URL ?? '').replace(/\/[^/]*$/, `/parley_bench_smoke_${process.pid}`);
  let db: pg.Client;
  let helper: pg.Client;

  beforeAll(async () => {
    await recreateDatabase(url);
    await runMigrations({ DATABASE_URL: url, DATABASE_POOL_SIZE: 1 });
    db = new pg.Client({ connectionString: url });
    await db.connect();
    helper = new pg.Client({ connectionString: url });
    await helper.connect();
  });

  afterAll(async () => {
    await helper.end();
    await db.end();
    await dropDatabase(url);
  });

  it('generates a consistent data set with every index back in place', async () => {
    const ids = async (sql: string, params: unknown[] = []) =>
      (await db.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
    const [workspaceId] = await ids(`INSERT INTO workspaces (name) VALUES ('Smoke') RETURNING id`);
    const agentIds = await ids(
      `INSERT INTO users (email, name, password_hash)
       SELECT 'agent' || i || '@smoke.test', 'Agent ' || i, 'x' FROM generate_series(1, 5) i RETURNING id`,
    );
    const teamIds = await ids(
      `INSERT INTO teams (workspace_id, name) SELECT $1, 'Team ' || i FROM generate_series(1, 2) i RETURNING id`,
      [workspaceId],
    );
    const inboxIds: string[] = [];
    for (const channel of CHANNELS)
      inboxIds.push(
        ...(await ids(`INSERT INTO inboxes (workspace_id, name, channel) VALUES ($1, $2, $2) RETURNING id`, [
          workspaceId,
          channel,
        ])),
      );
    const labelIds = await ids(
      `INSERT INTO labels (workspace_id, name) SELECT $1, 'l' || i FROM generate_series(1, 3) i RETURNING id`,
      [workspaceId],
    );
    const indexCount = async () =>
      Number((await db.query(`SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public'`)).rows[0].n);
    const indexesBefore = await indexCount();

    await generate(
      db,
      {
        workspaceId,
        conversations: 200,
        contacts: 60,
        agentIds,
        teamIds,
        inboxIds,
        labelIds,
        apiInboxId: inboxIds[0],
        timelineMessages: 120,
      },
      undefined,
      helper,
    );

    const one = async (sql: string, params: unknown[] = []) =>
      (await db.query<{ n: string }>(sql, params)).rows[0].n;
    expect(await indexCount()).toBe(indexesBefore);
    expect(await one(`SELECT count(*) AS n FROM conversations`)).toBe('200');
    expect(await one(`SELECT count(*) AS n FROM contacts`)).toBe('60');
    expect(await one(`SELECT count(*) AS n FROM conversation_metrics`)).toBe('200');
    // Counters agree with the rows, and the timeline contact has its messages.
    expect(
      await one(`SELECT count(*) AS n FROM conversations c
                  WHERE c.messages_count <> (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)`),
    ).toBe('0');
    expect(
      Number(await one(`SELECT count(*) AS n FROM messages WHERE contact_id = $1`, [benchUuid('contact-1')])),
    ).toBeGreaterThanOrEqual(120);
    // The resolve events sit at the conversations' resolve times (the fold's resolution clock).
    expect(
      await one(`SELECT count(*) AS n FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id
                  WHERE e.type = 'resolved' AND e.occurred_at <> c.resolved_at`),
    ).toBe('0');
    // Metrics match the conversations they describe (the fold's view of the same history).
    expect(
      await one(`SELECT count(*) AS n FROM conversation_metrics m JOIN conversations c ON c.id = m.conversation_id
                  WHERE m.resolved_at IS DISTINCT FROM c.resolved_at OR m.started_at <> c.opened_at
                     OR m.first_response_at IS DISTINCT FROM c.first_response_at`),
    ).toBe('0');
    expect(
      Number(
        await one(
          `SELECT count(*) AS n FROM conversations WHERE status <> 'resolved' AND assignee_id IS NULL`,
        ),
      ),
    ).toBeGreaterThan(0);
  });

  it('computes ratios, targets and the table', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    const slow = figure('view p95', 30, 'ms', { baseline: 10, goal: { below: 20 } });
    expect(slow).toMatchObject({ value: 30, baseline: 10, ratio: 3, target: '< 20', met: false });
    const fast = figure('ingest', 2500, 'msg/s', { baseline: 5000, goal: { atLeast: 2000 } });
    expect(fast).toMatchObject({ ratio: 0.5, target: '>= 2000', met: true });
    expect(figure('duplicates', 0, 'surveys', { goal: { equal: 0 } }).met).toBe(true);
    expect(formatTable([slow, fast])).toMatch(/view p95 +30 +ms +10 +3× +< 20 +NO/);
  });
});
