import { verifyWebhook } from '@parley/channels';
import { createWorkspace, eventually, WebhookReceiver, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

describe('API channel end to end: api + worker, socket.io, signed outbound webhook', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let ws: WorkspaceFixture;
  let agentSocket: AgentClient;
  let agentToken: string;
  let apiKey: string;
  let inbox: { id: string; secrets: Record<string, string> };

  beforeAll(async () => {
    stack = await bootStack();
    receiver = new WebhookReceiver();
    const webhookUrl = await receiver.start();
    ws = await createWorkspace(stack.api);
    const agent = await ws.addMember('agent');
    agentToken = await login(stack.url, agent.email);
    apiKey = await ws.addApiKey();
    // Created over HTTP, as an admin would: the generated secret comes back once.
    const admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    const created = await admin('POST', '/api/v1/inboxes', {
      name: 'CRM',
      channel: 'api',
      config: { webhookUrl },
    });
    expect(created.status).toBe(201);
    expect(created.body.inbox.secretsSet).toEqual(['webhookSecret']);
    expect(JSON.stringify(created.body.inbox)).not.toContain(created.body.generatedSecrets.webhookSecret);
    inbox = { id: created.body.inbox.id, secrets: created.body.generatedSecrets };
    agentSocket = await connectAgent(stack.url, agentToken);
  });

  afterAll(async () => {
    agentSocket.close();
    await receiver.stop();
    await stack.close();
  });

  it('ingests a customer message, pushes it live, and delivers the agent reply as a signed webhook', async () => {
    const integration = client(stack.url, { apiKey });
    const posted = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      externalId: 'crm-1001',
      contact: { identifier: 'cust-42', email: 'lena@example.com', name: 'Lena Fischer' },
      body: 'Where is my parcel?',
    });
    expect(posted.status).toBe(201);
    expect(posted.body.outcome).toBe('created');

    const live = await agentSocket.next('message.created', (p) => p.message.id === posted.body.message.id);
    expect(live.message).toMatchObject({ body: 'Where is my parcel?', channel: 'api', direction: 'in' });
    const created = await agentSocket.next(
      'conversation.created',
      (p) => p.conversation.id === posted.body.conversationId,
    );
    expect(created.conversation.status).toBe('open');

    // A provider retry of the same message is acknowledged without a second copy.
    const repeat = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      externalId: 'crm-1001',
      contact: { identifier: 'cust-42' },
      body: 'Where is my parcel?',
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ outcome: 'duplicate', message: { id: posted.body.message.id } });

    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${posted.body.conversationId}/messages`, {
      body: 'It ships today 📦',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.status).toBe('queued');

    const [request] = await receiver.waitForRequests(1);
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'message.created',
      id: reply.body.id,
      conversationId: posted.body.conversationId,
      to: { kind: 'external', value: 'cust-42' },
      body: 'It ships today 📦',
      author: { type: 'agent' },
    });
    expect(
      verifyWebhook(
        inbox.secrets.webhookSecret,
        {
          signature: request.headers['x-parley-signature'] as string,
          timestamp: request.headers['x-parley-timestamp'] as string,
        },
        request.body,
      ),
    ).toBe(true);

    const sent = await agentSocket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'sent',
    );
    expect(sent.message.sentAt).not.toBeNull();
    const messages = await agent('GET', `/api/v1/conversations/${posted.body.conversationId}/messages`);
    expect(messages.body.items.map((m: { body: string; status: string }) => [m.body, m.status])).toEqual([
      ['Where is my parcel?', 'received'],
      ['It ships today 📦', 'sent'],
    ]);
  });

  it('retries a failing receiver with backoff and shows a permanent failure on the message', async () => {
    const integration = client(stack.url, { apiKey });
    const posted = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { identifier: 'cust-43' },
      body: 'Hello?',
    });
    const before = receiver.requests.length;
    receiver.respondWith({ status: 503 }, { status: 503 }, { status: 503 });
    const agent = client(stack.url, { token: agentToken });
    const reply = await agent('POST', `/api/v1/conversations/${posted.body.conversationId}/messages`, {
      body: 'Hi!',
    });
    const failed = await agentSocket.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'failed',
    );
    expect(failed.message.error).toEqual({ code: 'http_503', message: 'Webhook answered 503' });
    expect(receiver.requests.length - before).toBe(3); // DELIVERY_ATTEMPTS=3 in tests
  });

  it('lets an integration reply, note and merge with its API key, recorded as a bot', async () => {
    const integration = client(stack.url, { apiKey });
    const first = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { identifier: 'bot-1' },
      body: 'a',
    });
    const second = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { identifier: 'bot-2' },
      body: 'b',
    });
    const reply = await integration('POST', `/api/v1/conversations/${first.body.conversationId}/messages`, {
      body: 'Automated answer',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ senderType: 'bot', authorId: null });
    const note = await integration('POST', `/api/v1/conversations/${first.body.conversationId}/notes`, {
      body: 'synced from CRM',
    });
    expect(note.status).toBe(201);
    const merge = await integration('POST', `/api/v1/contacts/${first.body.contactId}/merge`, {
      sourceContactId: second.body.contactId,
    });
    expect(merge.status).toBe(201);
    expect(merge.body.mergedBy).toBeNull();
    // A bot reply does not stop the first-response clock.
    const detail = await integration('GET', `/api/v1/conversations/${first.body.conversationId}`);
    expect(detail.body.conversation.firstResponseAt).toBeNull();
  });

  it('refuses bad API-channel input with the reason and stores nothing', async () => {
    const integration = client(stack.url, { apiKey });
    const noContact = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: {},
      body: 'x',
    });
    expect(noContact.status).toBe(400);
    expect(noContact.body.message).toContain('contact needs an identifier');
    const badPhone = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { phone: '12' },
      body: 'x',
    });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.code).toBe('invalid_identity');
    const extra = await integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { identifier: 'a' },
      body: 'x',
      workspaceId: ws.workspaceId,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toContain('workspaceId: should not exist');
    const noKey = await client(stack.url)('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
      contact: { identifier: 'a' },
      body: 'x',
    });
    expect(noKey.status).toBe(401);
    const revoked = await client(stack.url, { apiKey: 'pk_not-a-real-key' })('GET', '/api/v1/auth/me');
    expect(revoked.status).toBe(401);
    await eventually(
      async () => (await client(stack.url, { apiKey })('GET', '/api/v1/auth/me')).status === 200,
    );
  });
});
