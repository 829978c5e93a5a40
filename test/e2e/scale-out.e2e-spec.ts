import { createWorkspace, eventually, WebhookReceiver, type WorkspaceFixture } from '@parley/testing';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

describe('several api processes over one PostgreSQL and Redis', () => {
  let one: Stack;
  let two: Stack;
  let receiver: WebhookReceiver;
  let ws: WorkspaceFixture;
  let socketOnTwo: AgentClient;
  let inboxId: string;
  const TOKEN = 'metrics-token-for-tests-0123456789';

  beforeAll(async () => {
    one = await bootStack(); // api #1 with the worker
    process.env.METRICS_TOKEN = TOKEN;
    try {
      two = await bootStack({ worker: false }); // api #2, no worker: only Redis connects it to #1
    } finally {
      delete process.env.METRICS_TOKEN;
    }
    receiver = new WebhookReceiver();
    ws = await createWorkspace(one.api);
    inboxId = (await ws.addInbox({ channel: 'api', config: { webhookUrl: await receiver.start() } })).id;
    const agent = await ws.addMember('agent');
    socketOnTwo = await connectAgent(two.url, await login(two.url, agent.email));
  });

  afterAll(async () => {
    socketOnTwo.close();
    await receiver.stop();
    await two.close();
    await one.close();
  });

  it('pushes a message ingested through api #1 to an agent connected to api #2, and delivers a reply sent through #2', async () => {
    const posted = await client(one.url, { apiKey: await ws.addApiKey() })(
      'POST',
      `/api/v1/inboxes/${inboxId}/inbound`,
      {
        contact: { identifier: 'cust-1' },
        body: 'Hello from process one',
      },
    );
    expect(posted.status).toBe(201);
    const live = await socketOnTwo.next('message.created', (p) => p.message.id === posted.body.message.id);
    expect(live.message.body).toBe('Hello from process one');

    const agentOnTwo = client(two.url, { token: await login(two.url, ws.admin.email) });
    const reply = await agentOnTwo('POST', `/api/v1/conversations/${posted.body.conversationId}/messages`, {
      body: 'Answered from two',
    });
    expect(reply.status).toBe(201);
    const [request] = await receiver.waitForRequests(1);
    expect(JSON.parse(request.body)).toMatchObject({ id: reply.body.id, body: 'Answered from two' });
    await socketOnTwo.next(
      'message.updated',
      (p) => p.message.id === reply.body.id && p.message.status === 'sent',
    );
  });

  it('exposes Prometheus metrics per process, token-protected when METRICS_TOKEN is set', async () => {
    const open = await fetch(`${one.url}/metrics`);
    expect(open.status).toBe(200);
    const text = await open.text();
    expect(text).toContain('parley_messages_ingested_total{channel="api",outcome="created"} 1');
    expect(text).toMatch(
      /parley_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/inboxes\/:inboxId\/inbound",status="201"\} 1/,
    );
    expect(text).toMatch(/parley_queue_jobs\{queue="delivery",state="waiting"\} \d+/);
    expect(text).toMatch(/parley_outbox_pending \d+/);
    expect(text).toContain('parley_process_');

    expect((await fetch(`${two.url}/metrics`)).status).toBe(401);
    const authorized = await fetch(`${two.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(authorized.status).toBe(200);
    expect(await authorized.text()).toContain('parley_agent_sockets 1');
    await eventually(async () =>
      (await (await fetch(`${one.url}/metrics`)).text()).includes('parley_agent_sockets 0'),
    );
  });
});
