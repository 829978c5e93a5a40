import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

describe('agent API: inbox, conversation actions, live updates, bad input', () => {
  let stack: Stack;
  let ws: WorkspaceFixture;
  let agentId: string;
  let agent: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  let socket: AgentClient;
  let integration: ReturnType<typeof client>;
  let inboxId: string;
  let n = 0;

  const customerWrites = async (identifier: string, body = 'hello') => {
    const response = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      externalId: `e2e-${(n += 1)}`,
      contact: { identifier, name: `Customer ${identifier}` },
      body,
    });
    expect(response.status).toBe(201);
    return response.body as { conversationId: string; contactId: string; message: { id: string } };
  };

  beforeAll(async () => {
    stack = await bootStack();
    ws = await createWorkspace(stack.api);
    const member = await ws.addMember('agent');
    agentId = member.id;
    const token = await login(stack.url, member.email);
    agent = client(stack.url, { token });
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    integration = client(stack.url, { apiKey: await ws.addApiKey() });
    inboxId = (await ws.addInbox({ channel: 'api' })).id;
    socket = await connectAgent(stack.url, token);
  });

  afterAll(async () => {
    socket.close();
    await stack.close();
  });

  it('signs in, reports who is calling, and refuses a wrong password', async () => {
    const me = await agent('GET', '/api/v1/auth/me');
    expect(me.body).toMatchObject({
      role: 'agent',
      user: { id: agentId },
      workspace: { id: ws.workspaceId },
    });
    const noPassword = await admin('POST', '/api/v1/members', {
      email: 'new-person@example.com',
      name: 'New',
      role: 'agent',
    });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.message).toBe('A new user needs a password');
    const labels = await admin('GET', '/api/v1/labels');
    expect(JSON.stringify(labels.body)).not.toContain('workspaceId');
    const wrong = await client(stack.url)('POST', '/api/v1/auth/login', {
      email: ws.admin.email,
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });
    expect(JSON.stringify(await agent('GET', '/api/v1/members'))).not.toContain('password');
  });

  it('walks a conversation through note, assign, labels, priority, snooze, resolve and reopen with live events', async () => {
    const { conversationId, contactId } = await customerWrites('walk-1', 'My invoice is wrong');
    expect((await admin('POST', '/api/v1/labels', { name: 'billing', color: '#16a34a' })).status).toBe(201);

    const joined = await socket.emit('conversation.join', { conversationId });
    expect(joined).toEqual({ ok: true, conversationId });

    const note = await agent('POST', `/api/v1/conversations/${conversationId}/notes`, {
      body: 'Checking with finance',
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ kind: 'note', private: true, status: 'received' });
    await socket.next('message.created', (p) => p.message.id === note.body.id);

    const assigned = await agent('POST', `/api/v1/conversations/${conversationId}/assign`, {
      assigneeId: agentId,
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assigneeId).toBe(agentId);
    await socket.next(
      'conversation.assigned',
      (p) => p.conversation.id === conversationId && p.conversation.assigneeId === agentId,
    );

    const mine = await agent('GET', '/api/v1/conversations?view=mine');
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    expect(mine.body.items[0].lastMessage.body).toBe('My invoice is wrong');

    const labelled = await agent('PUT', `/api/v1/conversations/${conversationId}/labels`, {
      labels: ['billing'],
    });
    expect(labelled.body.labels).toEqual(['billing']);
    const unknownLabel = await agent('PUT', `/api/v1/conversations/${conversationId}/labels`, {
      labels: ['nope'],
    });
    expect(unknownLabel.status).toBe(400);
    expect(unknownLabel.body.message).toBe('Unknown labels: nope');

    expect(
      (await agent('PATCH', `/api/v1/conversations/${conversationId}`, { priority: 'urgent' })).body.priority,
    ).toBe('urgent');

    const until = new Date(Date.now() + 1500).toISOString();
    const snoozed = await agent('POST', `/api/v1/conversations/${conversationId}/snooze`, { until });
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    // The worker's delayed job wakes it when the time comes.
    await socket.next(
      'conversation.updated',
      (p) => p.conversation.id === conversationId && p.conversation.status === 'open',
      15_000,
    );

    const resolved = await agent('POST', `/api/v1/conversations/${conversationId}/resolve`);
    expect(resolved.body).toMatchObject({ status: 'resolved' });
    expect((await agent('POST', `/api/v1/conversations/${conversationId}/resolve`)).status).toBe(409);
    const reopened = await agent('POST', `/api/v1/conversations/${conversationId}/reopen`);
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1 });

    const profile = await agent('GET', `/api/v1/contacts/${contactId}`);
    expect(profile.body.identities).toEqual([
      expect.objectContaining({ kind: 'external', value: 'walk-1', inboxId }),
    ]);
    expect(profile.body.conversations).toHaveLength(1);
    const timeline = await agent('GET', `/api/v1/contacts/${contactId}/timeline`);
    expect(timeline.body.items.map((m: { body: string }) => m.body)).toEqual([
      'Checking with finance',
      'My invoice is wrong',
    ]);
  });

  it('filters and pages the inbox with cursors', async () => {
    for (let i = 0; i < 5; i += 1) await customerWrites(`page-${i}`, `page message ${i}`);
    const first = await agent('GET', '/api/v1/conversations?view=unassigned&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await agent(
      'GET',
      `/api/v1/conversations?view=unassigned&limit=2&cursor=${first.body.nextCursor}`,
    );
    const ids = [...first.body.items, ...second.body.items].map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(4);
    const byName = await agent('GET', `/api/v1/conversations?q=${encodeURIComponent('Customer page-3')}`);
    expect(byName.body.items.map((c: { contact: { name: string } }) => c.contact.name)).toEqual([
      'Customer page-3',
    ]);
    // In any case; the term's `%` and `_` are the characters themselves, not wildcards.
    const anyCase = await agent('GET', `/api/v1/conversations?q=${encodeURIComponent('CUSTOMER PAGE-3')}`);
    expect(anyCase.body.items.map((c: { contact: { name: string } }) => c.contact.name)).toEqual([
      'Customer page-3',
    ]);
    expect(
      (await agent('GET', `/api/v1/conversations?q=${encodeURIComponent('page_3')}`)).body.items,
    ).toEqual([]);
    const contacts = await agent('GET', `/api/v1/contacts?q=${encodeURIComponent('cUSTOMER page-3')}`);
    expect(contacts.body.items.map((c: { name: string }) => c.name)).toEqual(['Customer page-3']);
    const badCursor = await agent('GET', '/api/v1/conversations?cursor=garbage');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.code).toBe('invalid_cursor');
    const badSort = await agent('GET', '/api/v1/conversations?sort=sideways&limit=1000');
    expect(badSort.status).toBe(400);
    expect(badSort.body.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^sort: /), expect.stringMatching(/^limit: /)]),
    );
  });

  it('answers bad input with a 4xx and a reason', async () => {
    const { conversationId } = await customerWrites('bad-1');
    const tooBig = await agent(
      'POST',
      `/api/v1/conversations/${conversationId}/notes`,
      JSON.stringify({ body: 'x'.repeat(1_100_000) }),
    );
    expect(tooBig.status).toBe(413);
    const malformed = await agent('POST', `/api/v1/conversations/${conversationId}/notes`, '{"body": ');
    expect(malformed.status).toBe(400);
    const wrongType = await agent('POST', `/api/v1/conversations/${conversationId}/notes`, { body: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.details).toContain('body: must be a string');
    const badId = await agent('GET', '/api/v1/conversations/not-a-uuid');
    expect(badId.status).toBe(400);
    const past = await agent('POST', `/api/v1/conversations/${conversationId}/snooze`, {
      until: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    const missing = await agent('GET', '/api/v1/conversations/2f1b7c1e-5d4f-4a8e-9c1d-000000000000');
    expect(missing.status).toBe(404);
    const anonymous = await client(stack.url)('GET', '/api/v1/conversations');
    expect(anonymous.status).toBe(401);
    const messages = await agent('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(messages.body.items).toHaveLength(1);
  });

  it('answers a malformed socket payload with an error event and keeps the connection usable', async () => {
    socket.socket.emit('conversation.join', { conversationId: 'nope' });
    const error = await socket.next('error', (p) => p.event === 'conversation.join');
    expect(error.details).toEqual(['conversationId: must be a UUID']);
    socket.socket.emit('typing', 'not an object');
    await socket.next('error', (p) => p.event === 'typing');
    const acked = await socket.emit('conversation.join', { conversationId: 42 });
    expect(acked).toMatchObject({
      ok: false,
      error: { event: 'conversation.join', details: ['conversationId: must be a UUID'] },
    });
    const foreign = await socket.emit('conversation.join', {
      conversationId: '2f1b7c1e-5d4f-4a8e-9c1d-000000000000',
    });
    expect(foreign).toMatchObject({ ok: false, error: { message: 'Conversation not found' } });
    const { conversationId } = await customerWrites('socket-1');
    expect(await socket.emit('conversation.join', { conversationId })).toEqual({ ok: true, conversationId });
    expect(socket.socket.connected).toBe(true);
  });

  it('relays typing to other agents in the conversation and presence to the workspace', async () => {
    const { conversationId } = await customerWrites('typing-1');
    const other = await ws.addMember('agent');
    const otherSocket = await connectAgent(stack.url, await login(stack.url, other.email));
    try {
      await socket.next('presence', (p) => p.userId === other.id && p.status === 'online');
      await socket.emit('conversation.join', { conversationId });
      await otherSocket.emit('conversation.join', { conversationId });
      expect(await otherSocket.emit('typing', { conversationId, state: 'on' })).toEqual({ ok: true });
      const typing = await socket.next('typing', (p) => p.conversationId === conversationId);
      expect(typing).toEqual({ conversationId, userId: other.id, state: 'on' });
    } finally {
      otherSocket.close();
    }
    await socket.next('presence', (p) => p.userId === other.id && p.status === 'offline');
  });

  it('refuses a socket without a valid token', async () => {
    await expect(connectAgent(stack.url, 'not-a-token')).rejects.toThrow('unauthorized');
  });
});
