import { DataSource } from 'typeorm';
import { SlaPoliciesService } from '@parley/reporting';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type Stack } from '../support/stack.js';

describe('automation rules end to end', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let supervisor: ReturnType<typeof client>;
  let agent: ReturnType<typeof client>;
  let integration: ReturnType<typeof client>;
  let inboxId: string;

  beforeAll(async () => {
    stack = await bootStack();
    ws = await createWorkspace(stack.api);
    supervisor = client(stack.url, {
      token: await login(stack.url, (await ws.addMember('supervisor')).email),
    });
    agent = client(stack.url, { token: await login(stack.url, (await ws.addMember('agent')).email) });
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
    inboxId = (await ws.addInbox({ channel: 'api' })).id;
    expect((await supervisor('POST', '/api/v1/labels', { name: 'urgent-words' })).status).toBe(201);
  });

  afterAll(() => stack.close());

  it('lets a supervisor create a rule that the worker applies to the next customer message', async () => {
    const created = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'Escalate outages',
      event: 'message.created',
      conditions: {
        any: [
          { field: 'message.body', operator: 'contains', value: 'outage' },
          { field: 'message.body', operator: 'contains', value: 'down' },
        ],
      },
      actions: [
        { type: 'set_priority', priority: 'urgent' },
        { type: 'add_label', label: 'urgent-words' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Escalate outages', enabled: true, position: 0 });
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'c1' },
      body: 'Your site is DOWN again',
    });
    const conversation = await eventually(async () => {
      const detail = (await agent('GET', `/api/v1/conversations/${posted.body.conversationId}`)).body
        .conversation;
      return detail.priority === 'urgent' && detail.labels.includes('urgent-words') ? detail : undefined;
    });
    expect(conversation.labels).toEqual(['urgent-words']);
  });

  it('answers invalid rules with a 400 naming each problem, and keeps editing to supervisors', async () => {
    const bad = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'x',
      event: 'message.created',
      conditions: { all: [{ field: "contact.attributes.x'; --", operator: 'equals', value: '1' }] },
      actions: [{ type: 'set_priority', priority: 'meh' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('The rule is not valid');
    expect(bad.body.details).toHaveLength(2);
    expect((await agent('POST', '/api/v1/automation-rules', { name: 'x' })).status).toBe(403);
    expect((await agent('GET', '/api/v1/automation-rules')).body.items).toHaveLength(1);
  });

  it('replaces a rule with PUT: renamed and disabled', async () => {
    const [rule] = (await supervisor('GET', '/api/v1/automation-rules')).body.items;
    const replaced = await supervisor('PUT', `/api/v1/automation-rules/${rule.id}`, {
      name: 'Escalate outages (paused)',
      enabled: false,
      event: 'message.created',
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: rule.id, name: 'Escalate outages (paused)', enabled: false });
    const listed = (await supervisor('GET', '/api/v1/automation-rules')).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: rule.id, enabled: false })]);

    // The worker, which has the rules cached, sees both changes on the next message: the paused rule
    // stays quiet, and a rule created just now fires.
    const tagging = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'Tag outages',
      event: 'message.created',
      conditions: { all: [{ field: 'message.body', operator: 'contains', value: 'down' }] },
      actions: [{ type: 'add_label', label: 'urgent-words' }],
    });
    expect(tagging.status).toBe(201);
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'c-paused' },
      body: 'Down again',
    });
    const conversation = await eventually(async () => {
      const detail = (await agent('GET', `/api/v1/conversations/${posted.body.conversationId}`)).body
        .conversation;
      return detail.labels.includes('urgent-words') ? detail : undefined;
    });
    expect(conversation.priority).not.toBe('urgent');
    expect((await supervisor('DELETE', `/api/v1/automation-rules/${tagging.body.id}`)).status).toBe(204);
  });

  it('acknowledges once per cycle outside business hours, without stopping the first-response clock', async () => {
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const today = new Date().toISOString().slice(0, 10);
    const calendar = await admin('POST', '/api/v1/calendars', {
      name: 'Closed today',
      timezone: 'UTC',
      week: { mon: [{ start: '00:00', end: '23:59' }], tue: [{ start: '00:00', end: '23:59' }] },
      holidays: [today],
    });
    expect(calendar.status).toBe(201);
    const assigned = await admin('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: inboxId,
      calendarId: calendar.body.id,
    });
    expect(assigned.status).toBeLessThan(300);
    const canned = await admin('POST', '/api/v1/canned-responses', {
      shortCode: 'closed',
      content: 'Thanks for writing! We are closed today and answer first thing tomorrow.',
    });
    const rule = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'After hours',
      event: 'message.created',
      conditions: { all: [{ field: 'business_hours', operator: 'equals', value: 'closed' }] },
      actions: [{ type: 'auto_acknowledge', cannedResponseId: canned.body.id }],
    });
    expect(rule.status).toBe(201);
    const first = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'night-owl' },
      body: 'Hello, anyone?',
    });
    const conversationId = first.body.conversationId as string;
    const acknowledgements = async () =>
      (
        (await agent('GET', `/api/v1/conversations/${conversationId}/messages`)).body.items as Array<{
          body: string;
          senderType: string;
        }>
      ).filter((m) => m.body.startsWith('Thanks for writing!'));
    const [ack] = await eventually(async () =>
      (await acknowledgements()).length ? acknowledgements() : undefined,
    );
    expect(ack.senderType).toBe('bot');
    await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'night-owl' },
      body: 'Hello again?',
    });
    const fired = await eventually(async () => {
      const rows = await stack.api
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n FROM conversation_events WHERE conversation_id = $1 AND type = 'automation_fired'`,
          [conversationId],
        );
      return rows[0].n >= 2 ? rows[0].n : undefined;
    });
    expect(fired).toBe(2);
    expect(await acknowledgements()).toHaveLength(1);
    const detail = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation;
    expect(detail.firstResponseAt).toBeNull();
    await supervisor('DELETE', `/api/v1/automation-rules/${rule.body.id}`);
    await admin('PUT', '/api/v1/calendars/assignments', {
      scope: 'inbox',
      scopeId: inboxId,
      calendarId: null,
    });
  });

  it('escalates on an SLA breach: urgent, to the team, on the timeline and live to supervisors', async () => {
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const team = await admin('POST', '/api/v1/teams', { name: 'Escalations' });
    const socket = await connectAgent(stack.url, await login(stack.url, ws.admin.email));
    await stack.api.get(SlaPoliciesService).create(ws.workspaceId, {
      name: 'Two seconds',
      firstResponseSeconds: 2,
      businessHours: false,
    });
    const rule = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'Breach → escalate',
      event: 'sla.breached',
      actions: [{ type: 'escalate', teamId: team.body.id, reason: 'First response target missed' }],
    });
    expect(rule.status).toBe(201);
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'impatient' },
      body: 'Is anyone reading this?',
    });
    const conversationId = posted.body.conversationId as string;
    const live = await socket.next(
      'conversation.escalated',
      (p) => p.conversationId === conversationId,
      20_000,
    );
    expect(live).toMatchObject({ reason: 'First response target missed', teamId: team.body.id });
    const detail = (await agent('GET', `/api/v1/conversations/${conversationId}`)).body.conversation;
    expect(detail).toMatchObject({ priority: 'urgent', teamId: team.body.id });
    const events = await stack.api
      .get(DataSource)
      .query(`SELECT type FROM conversation_events WHERE conversation_id = $1 ORDER BY seq`, [
        conversationId,
      ]);
    expect(events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining([
        'sla_breached',
        'priority_changed',
        'team_changed',
        'escalated',
        'automation_fired',
      ]),
    );
    socket.close();
  });

  it("routes a new conversation after its rules: a rule moving it to a team hands it to that team's agents", async () => {
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const inboxAgent = await ws.addMember('agent');
    const teamAgent = await ws.addMember('agent');
    const team = await admin('POST', '/api/v1/teams', {
      name: 'VIP desk',
      assignment: { mode: 'round_robin', order: 'oldest_waiting' },
    });
    expect(team.status).toBe(201);
    await admin('PUT', `/api/v1/teams/${team.body.id}/members`, { userIds: [teamAgent.id] });
    const routed = (
      await admin('POST', '/api/v1/inboxes', {
        name: 'Routed API',
        channel: 'api',
        assignment: { mode: 'round_robin', order: 'oldest_waiting' },
      })
    ).body.inbox.id as string;
    const sockets = await Promise.all(
      [inboxAgent, teamAgent].map(async (member) =>
        connectAgent(stack.url, await login(stack.url, member.email)),
      ),
    );
    const vipRule = await supervisor('POST', '/api/v1/automation-rules', {
      name: 'VIPs to the VIP desk',
      event: 'conversation.created',
      conditions: { all: [{ field: 'inbox_id', operator: 'equals', value: routed }] },
      actions: [{ type: 'assign_team', teamId: team.body.id }],
    });
    for (let i = 0; i < 3; i++) {
      const posted = await integration('POST', `/api/v1/inboxes/${routed}/inbound`, {
        contact: { identifier: `vip-${i}` },
        body: 'Hello from a VIP',
      });
      const assigned = await sockets[1].next(
        'conversation.assigned',
        (p) => p.conversation.id === posted.body.conversationId,
      );
      expect(assigned.conversation).toMatchObject({ assigneeId: teamAgent.id, teamId: team.body.id });
    }
    sockets.forEach((socket) => socket.close());
    await supervisor('DELETE', `/api/v1/automation-rules/${vipRule.body.id}`);
  });
});
