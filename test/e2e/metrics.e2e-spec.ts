import { DataSource } from 'typeorm';
import { MetricsService, RollupsRepository, SlaPoliciesService } from '@parley/reporting';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

type Http = ReturnType<typeof client>;

describe('metrics end to end: events → worker → conversation_metrics → reports', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let supervisor: Http;
  let agent: Http;
  let agentId: string;
  let integration: Http;
  let inboxId: string;
  let socket: AgentClient;

  beforeAll(async () => {
    stack = await bootStack();
    ws = await createWorkspace(stack.api);
    supervisor = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const member = await ws.addMember('agent');
    agentId = member.id;
    const agentToken = await login(stack.url, member.email);
    agent = client(stack.url, { token: agentToken });
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
    inboxId = (await supervisor('POST', '/api/v1/inboxes', { name: 'Support API', channel: 'api' })).body
      .inbox.id;
    socket = await connectAgent(stack.url, await login(stack.url, ws.admin.email));
  });

  afterAll(async () => {
    socket.close();
    await stack.close();
  });

  const inbound = async (identifier: string, body: string) =>
    (await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, { contact: { identifier }, body }))
      .body as {
      conversationId: string;
    };

  it('reports a conversation an agent answered and resolved: FRT, resolution, pending FCR, leaderboard, CSV', async () => {
    const { conversationId } = await inbound('m-1', 'My order has not arrived');
    await supervisor('POST', `/api/v1/conversations/${conversationId}/assign`, { assigneeId: agentId });
    expect(
      (await agent('POST', `/api/v1/conversations/${conversationId}/messages`, { body: 'On it' })).status,
    ).toBe(201);
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(200);

    const summary = await eventually(async () => {
      const response = await supervisor('GET', '/api/v1/reports/summary');
      return response.body.fullResolution?.calendar.count === 1 ? response.body : undefined;
    });
    expect(summary.volume).toEqual({ opened: 1, reopened: 0, customerMessages: 1, resolved: 1 });
    expect(summary.firstResponse.calendar.count).toBe(1);
    expect(summary.firstResponse.calendar.median).toBeGreaterThanOrEqual(0);
    expect(summary.fcr).toEqual({ rate: null, fcr: 0, decided: 0, pending: 1 }); // its 7-day window is open
    expect(summary.reopen).toEqual({ rate: 0, reopened: 0 });

    const board = (await supervisor('GET', '/api/v1/reports/agents')).body.items as Array<
      Record<string, unknown>
    >;
    expect(board.find((row) => row.agentId === agentId)).toMatchObject({ resolved: 1 });
    // Handle time summed over a long period outgrows 32-bit integers (seen on the 1M-conversation bench).
    // The row is patched by hand, so the rollups are refilled from it (today is read from its rollup).
    const db = stack.api.get(DataSource);
    const refill = () => stack.api.get(RollupsRepository).rebuild(ws.workspaceId);
    const [row] = await db.query(
      `SELECT handle_by_agent FROM conversation_metrics WHERE conversation_id = $1`,
      [conversationId],
    );
    await db.query(`UPDATE conversation_metrics SET handle_by_agent = $2 WHERE conversation_id = $1`, [
      conversationId,
      { [agentId]: 3_000_000_000 },
    ]);
    await refill();
    const big = await supervisor('GET', '/api/v1/reports/agents');
    expect(big.status).toBe(200);
    expect(big.body.items.find((item: { agentId: string }) => item.agentId === agentId).handleSeconds).toBe(
      3_000_000_000,
    );
    await db.query(`UPDATE conversation_metrics SET handle_by_agent = $2 WHERE conversation_id = $1`, [
      conversationId,
      row.handle_by_agent,
    ]);
    await refill();

    const mine = await supervisor('GET', `/api/v1/reports/summary?agentId=${agentId}`);
    expect(mine.body.firstResponse.calendar.count).toBe(1);
    const other = await supervisor('GET', `/api/v1/reports/summary?channel=sms`);
    expect(other.body.firstResponse.calendar.count).toBe(0);

    const series = await supervisor('GET', '/api/v1/reports/timeseries?metric=volume&interval=day');
    expect(series.body.points).toEqual([{ period: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), opened: 1 }]);

    const distribution = await supervisor('GET', '/api/v1/reports/distribution?metric=first_response');
    expect(distribution.body.buckets[0]).toEqual({ upTo: 60, count: 1 });

    const csv = await fetch(`${stack.url}/api/v1/reports/export.csv`, {
      headers: { authorization: `Bearer ${await login(stack.url, ws.admin.email)}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].split(',').slice(0, 2)).toEqual(['conversation_id', 'cycle']);
    expect(lines[1]).toContain(conversationId);
  });

  it('rebuilds every conversation from the event log to the same rows the worker wrote', async () => {
    const report = await stack.api.get(MetricsService).rebuild(ws.workspaceId);
    expect(report).toEqual({ conversations: 1, cycles: 1, mismatched: [], rollupMismatches: 0 });
  });

  it('keeps reports to supervisors and explains bad queries', async () => {
    expect((await agent('GET', '/api/v1/reports/summary')).status).toBe(403);
    const backwards = await supervisor(
      'GET',
      '/api/v1/reports/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toBe('from must be before to (ISO times)');
    const metric = await supervisor('GET', '/api/v1/reports/timeseries?metric=vibes');
    expect(metric.status).toBe(400);
    expect(metric.body.message).toMatch(/^metric must be one of volume, first_response/);
    expect((await supervisor('GET', '/api/v1/reports/summary?channel=fax')).status).toBe(400);
  });

  it('validates calendars and applies them per inbox; answers 404 for a foreign inbox', async () => {
    const bad = await supervisor('POST', '/api/v1/calendars', {
      name: 'Broken',
      timezone: 'Nowhere/City',
      week: { mon: [{ start: '17:00', end: '09:00' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      'unknown time zone "Nowhere/City"',
      'mon: 17:00–09:00 ends before it starts',
    ]);
    const created = await supervisor('POST', '/api/v1/calendars', {
      name: 'Lisbon office',
      timezone: 'Europe/Lisbon',
      week: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] },
      holidays: ['2026-12-25'],
    });
    expect(created.status).toBe(201);
    const other = await supervisor('POST', '/api/v1/calendars', { name: 'Other', timezone: 'UTC', week: {} });
    const clash = await supervisor('PATCH', `/api/v1/calendars/${other.body.id}`, { name: 'Lisbon office' });
    expect(clash.status).toBe(409);
    expect(clash.body.message).toBe('A calendar named "Lisbon office" exists');
    expect((await supervisor('DELETE', `/api/v1/calendars/${other.body.id}`)).status).toBe(204);
    const assign = await supervisor('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: inboxId,
      calendarId: created.body.id,
    });
    expect(assign.status).toBe(204);
    const listed = (await agent('GET', '/api/v1/calendars')).body.items;
    expect(listed[0].assignedTo).toEqual([{ scope: 'inbox', scopeId: inboxId }]);
    const foreign = await supervisor('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: '00000000-0000-4000-8000-000000000000',
      calendarId: created.body.id,
    });
    expect(foreign.status).toBe(404);
    // Back to 24/7 for the SLA test below
    await supervisor('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: inboxId,
      calendarId: null,
    });
  });

  it('warns and then breaches an SLA target live, records both once, and reports the breach', async () => {
    expect((await supervisor('POST', '/api/v1/sla-policies', { name: 'No targets' })).status).toBe(400);
    // Seconds-long targets are below the API's minimum; the service takes them for this test.
    await stack.api.get(SlaPoliciesService).create(ws.workspaceId, {
      name: 'Fast lane',
      firstResponseSeconds: 2,
      businessHours: false,
      warnAt: 0.5,
    });
    const { conversationId } = await inbound('m-2', 'Anyone there?');
    // The conversation view's countdown: the first response target runs, due 2 s after the message.
    const running = await eventually(async () => {
      const response = await agent('GET', `/api/v1/conversations/${conversationId}/sla`);
      return response.body.policy ? response.body : undefined;
    });
    expect(running.policy.name).toBe('Fast lane');
    expect(running.targets).toEqual([
      {
        kind: 'first_response',
        state: expect.stringMatching(/running|breached/),
        dueAt: expect.any(String),
        doneAt: null,
      },
    ]);
    const live = await supervisor('GET', '/api/v1/reports/live');
    expect(live.body).toMatchObject({ open: 1, pending: 0, unassigned: 1, waiting: 1 });
    expect(live.body.longestWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(live.body.agents.find((row: { agentId: string }) => row.agentId === agentId)).toMatchObject({
      load: 0,
      capacity: expect.any(Number),
    });
    const warning = await socket.next(
      'sla.alert',
      (p) => p.conversationId === conversationId && p.stage === 'warning',
    );
    expect(warning).toMatchObject({ kind: 'first_response', policyId: expect.any(String) });
    const breach = await socket.next(
      'sla.alert',
      (p) => p.conversationId === conversationId && p.stage === 'breach',
    );
    expect(breach.dueAt).toBe(warning.dueAt);

    const summary = await eventually(async () => {
      const response = await supervisor('GET', '/api/v1/reports/summary');
      return response.body.sla.firstResponse.breached >= 1 ? response.body : undefined;
    });
    expect(summary.sla.firstResponse).toMatchObject({ met: 0, breached: 1, rate: 0 });
    const timers = await agent('GET', `/api/v1/conversations/${conversationId}/sla`);
    expect(timers.body.targets[0]).toMatchObject({ kind: 'first_response', state: 'breached' });
    expect(
      (await agent('GET', '/api/v1/conversations/7d0c2a4e-1f3b-4c5d-8e9f-0a1b2c3d4e5f/sla')).status,
    ).toBe(404);

    // A re-check of the same timer records nothing new.
    const metrics = stack.api.get(MetricsService);
    expect(
      await metrics.checkSla(ws.workspaceId, conversationId, 'first_response', 'breach', breach.dueAt),
    ).toBe(false);
    const recorded: Array<{ type: string }> = await stack.api
      .get(DataSource)
      .query(
        `SELECT type FROM conversation_events WHERE conversation_id = $1 AND type LIKE 'sla_%' ORDER BY seq`,
        [conversationId],
      );
    expect(recorded.map((row) => row.type)).toEqual(['sla_warning', 'sla_breached']);
  });

  it('a rebuild after a definition change (a new SLA policy) replaces the rows it changes', async () => {
    const metrics = stack.api.get(MetricsService);
    const first = await metrics.rebuild(ws.workspaceId);
    expect(first.conversations).toBe(2);
    expect(first.mismatched).toHaveLength(1); // the first conversation predates the policy
    expect((await metrics.rebuild(ws.workspaceId)).mismatched).toEqual([]);
  });

  it('applies a changed SLA policy to the next conversation at once, though the worker caches the policies', async () => {
    const policies = (await supervisor('GET', '/api/v1/sla-policies')).body.items as Array<{
      id: string;
      name: string;
    }>;
    const fast = policies.find((policy) => policy.name === 'Fast lane');
    const changed = await supervisor('PUT', `/api/v1/sla-policies/${fast?.id}`, {
      name: 'Calm lane',
      firstResponseSeconds: 3600,
      businessHours: false,
    });
    expect(changed.status).toBe(200);
    const { conversationId } = await inbound('m-3', 'Hello again');
    const timers = await eventually(async () => {
      const response = await agent('GET', `/api/v1/conversations/${conversationId}/sla`);
      return response.body.policy ? response.body : undefined;
    });
    expect(timers.policy.name).toBe('Calm lane');
  });

  it('applies a changed FCR window to the next resolve at once, though the worker caches the workspace', async () => {
    const db = stack.api.get(DataSource);
    const windowDays = async (days: number, identifier: string) => {
      const changed = await supervisor('PATCH', '/api/v1/workspace', { settings: { fcrWindowDays: days } });
      expect(changed.body.settings.fcrWindowDays).toBe(days);
      const { conversationId } = await inbound(identifier, 'Where is my parcel?');
      expect((await supervisor('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(200);
      const [row] = await eventually(async () => {
        const rows: Array<{ seconds: number }> = await db.query(
          `SELECT extract(epoch FROM fcr_window_ends_at - resolved_at)::int AS seconds
             FROM conversation_metrics WHERE conversation_id = $1 AND cycle = 0 AND fcr_window_ends_at IS NOT NULL`,
          [conversationId],
        );
        return rows.length ? rows : undefined;
      });
      return row.seconds / 86_400;
    };
    expect(await windowDays(2, 'm-fcr-1')).toBe(2);
    expect(await windowDays(5, 'm-fcr-2')).toBe(5);
    // The worker folds the journaled rollup changes into metrics_daily within about a second.
    await eventually(async () => {
      const [{ n }]: Array<{ n: number }> = await db.query(
        `SELECT count(*)::int AS n FROM metrics_daily_pending WHERE workspace_id = $1`,
        [ws.workspaceId],
      );
      return n === 0 || undefined;
    });
  });
});
