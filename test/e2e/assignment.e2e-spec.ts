import { DataSource } from 'typeorm';
import { JobQueues } from '@parley/jobs';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

describe('auto-assignment end to end: policy over HTTP, availability from the socket, the worker assigns', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let admin: ReturnType<typeof client>;
  let agentId: string;
  let agent: ReturnType<typeof client>;
  let socket: AgentClient;
  let integration: ReturnType<typeof client>;
  let inboxId: string;

  beforeAll(async () => {
    stack = await bootStack();
    ws = await createWorkspace(stack.api);
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const member = await ws.addMember('agent');
    agentId = member.id;
    const token = await login(stack.url, member.email);
    agent = client(stack.url, { token });
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
    const created = await admin('POST', '/api/v1/inboxes', {
      name: 'Support API',
      channel: 'api',
      assignment: { mode: 'round_robin', order: 'oldest_waiting', requeueAfterMinutes: 15 },
    });
    expect(created.status).toBe(201);
    expect(created.body.inbox.assignment).toEqual({
      mode: 'round_robin',
      order: 'oldest_waiting',
      requeueAfterMinutes: 15,
    });
    inboxId = created.body.inbox.id;
    socket = await connectAgent(stack.url, token);
  });

  afterAll(async () => {
    if (socket.socket.connected) socket.close();
    await stack.close();
  });

  const members = async () =>
    (await admin('GET', '/api/v1/members')).body.items as Array<{ userId: string; availability: string }>;

  it('marks an agent online when they connect, and assigns the next conversation to them with a reason', async () => {
    await eventually(
      async () => (await members()).find((m) => m.userId === agentId)?.availability === 'online',
    );
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'c-1' },
      body: 'Hi there',
    });
    const assigned = await socket.next(
      'conversation.assigned',
      (p) => p.conversation.id === posted.body.conversationId,
    );
    expect(assigned.conversation).toMatchObject({ assigneeId: agentId, assignmentCount: 1 });
    expect(assigned.conversation.assignmentReason).toBe('round robin 0/10, online, inbox Support API');
    const detail = await agent('GET', `/api/v1/conversations/${posted.body.conversationId}`);
    expect(detail.body.conversation.assignmentReason).toBe('round robin 0/10, online, inbox Support API');
  });

  it('keeps a busy agent out of rotation until they are online again', async () => {
    expect(
      (await agent('PUT', '/api/v1/members/me/availability', { availability: 'busy' })).body.availability,
    ).toBe('busy');
    const posted = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'c-2' },
      body: 'Hello?',
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(
      (await agent('GET', `/api/v1/conversations/${posted.body.conversationId}`)).body.conversation
        .assigneeId,
    ).toBeNull();
    await agent('PUT', '/api/v1/members/me/availability', { availability: 'online' });
    const assigned = await socket.next(
      'conversation.assigned',
      (p) => p.conversation.id === posted.body.conversationId,
    );
    expect(assigned.conversation.assigneeId).toBe(agentId);
  });

  it('takes an idle agent offline in the periodic sweep, and reports assignment figures to supervisors', async () => {
    const idle = await ws.addMember('agent');
    await admin('PATCH', `/api/v1/members/${idle.id}`, { availability: 'online' });
    // No socket, and online for longer than AGENT_IDLE_OFFLINE_MINUTES (15): the sweep takes them offline.
    await stack.api
      .get(DataSource)
      .query(
        `UPDATE memberships SET availability_changed_at = now() - interval '20 minutes' WHERE user_id = $1`,
        [idle.id],
      );
    await stack.api
      .get(JobQueues)
      .add({ name: 'assignment.sweep', data: { workspaceId: null }, jobId: `test-sweep-${Date.now()}` });
    await eventually(
      async () => (await members()).find((m) => m.userId === idle.id)?.availability === 'offline',
    );
    expect((await members()).find((m) => m.userId === agentId)?.availability).not.toBe('offline'); // has a socket

    // The report reads the metrics the worker folds from the event log, a moment after each commit.
    const report = await eventually(async () => {
      const response = await admin('GET', '/api/v1/reports/assignment');
      return response.body.conversationsAssigned === 2 ? response : undefined;
    });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      conversationsOpened: 2,
      conversationsAssigned: 2,
      assignments: { auto: 2, manual: 0, self: 0, requeued: 0 },
    });
    expect((await agent('GET', '/api/v1/reports/assignment')).status).toBe(403);
    expect((await admin('GET', '/api/v1/reports/assignment?from=yesterday')).status).toBe(400);
  });

  it('validates policies and capacities', async () => {
    const badPolicy = await admin('PATCH', `/api/v1/inboxes/${inboxId}`, { assignment: { mode: 'random' } });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.details).toEqual([expect.stringMatching(/^assignment\.mode: /)]);
    const badCapacity = await admin('PATCH', `/api/v1/members/${agentId}`, { channelCapacity: { fax: 3 } });
    expect(badCapacity.status).toBe(400);
    expect(badCapacity.body.details).toEqual([
      'channelCapacity.fax: must be a channel name with a whole number from 0 to 1000',
    ]);
    const ok = await admin('PATCH', `/api/v1/members/${agentId}`, {
      channelCapacity: { webchat: 3, email: 10 },
    });
    expect(ok.body.channelCapacity).toEqual({ webchat: 3, email: 10 });
  });

  it('marks the agent offline when the last socket closes', async () => {
    socket.close();
    await eventually(
      async () => (await members()).find((m) => m.userId === agentId)?.availability === 'offline',
    );
  });
});
