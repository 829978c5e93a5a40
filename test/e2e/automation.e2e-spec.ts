import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, login, type Stack } from '../support/stack.js';

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
});
