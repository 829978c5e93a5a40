import { createWorkspace } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

describe('agent socket: who else is viewing a conversation', () => {
  let stack: Stack;
  let first: AgentClient;
  let second: AgentClient;
  let firstId: string;
  let secondId: string;
  let conversationId: string;

  beforeAll(async () => {
    stack = await bootStack({ worker: false });
    const ws = await createWorkspace(stack.api);
    const a = await ws.addMember('agent');
    const b = await ws.addMember('agent');
    firstId = a.id;
    secondId = b.id;
    const inboxId = (await ws.addInbox({ channel: 'api' })).id;
    const integration = client(stack.url, { apiKey: await ws.addApiKey() });
    const inbound = await integration('POST', `/api/v1/inboxes/${inboxId}/inbound`, {
      contact: { identifier: 'viewer-1' },
      body: 'hello',
    });
    conversationId = inbound.body.conversationId;
    first = await connectAgent(stack.url, await login(stack.url, a.email));
    second = await connectAgent(stack.url, await login(stack.url, b.email));
  });

  afterAll(async () => {
    first.close();
    second.close();
    await stack.close();
  });

  /** The first `conversation.viewers` that `socket` receives after the action `act`. */
  const viewersAfter = async (socket: AgentClient, act: () => unknown) => {
    const before = socket.events.length;
    await act();
    return socket.next('conversation.viewers', (payload) =>
      socket.events.slice(before).some((e) => e.event === 'conversation.viewers' && e.payload === payload),
    );
  };

  it('announces viewers on join, leave and disconnect', async () => {
    const alone = await viewersAfter(first, () => first.emit('conversation.join', { conversationId }));
    expect(alone).toEqual({ conversationId, userIds: [firstId] });

    const both = await viewersAfter(first, () => second.emit('conversation.join', { conversationId }));
    expect([...both.userIds].sort()).toEqual([firstId, secondId].sort());

    const left = await viewersAfter(first, () => second.emit('conversation.leave', { conversationId }));
    expect(left.userIds).toEqual([firstId]);

    await viewersAfter(first, () => second.emit('conversation.join', { conversationId }));
    const gone = await viewersAfter(first, () => second.close());
    expect(gone.userIds).toEqual([firstId]);
  });
});
