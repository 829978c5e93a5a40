import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createWorkspace, eventually, type WorkspaceFixture } from '@parley/testing';
import { startApi, startWorker, type ApiProcess, type WorkerProcess } from '../support/processes.js';
import { bootStack, client, connectAgent, login, type Stack } from '../support/stack.js';

const MESSAGES = 500;
const SENDERS = 16;
const REPLIES = 60;

/** An integrator's webhook endpoint that takes its time, so deliveries are in flight when a worker stops. */
async function slowEndpoint(delayMs: number): Promise<{ url: string; ids: string[]; server: Server }> {
  const ids: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () =>
      setTimeout(() => {
        ids.push((JSON.parse(body) as { id: string }).id);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, ids, server };
}

/**
 * SIGTERM under load, with real child processes: the api drains (no acknowledged message lost,
 * exit 0) and the worker finishes its active deliveries (each delivered exactly once, exit 0).
 */
describe('graceful shutdown of api and worker processes under load', () => {
  let fixtures: Stack;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let apis: ApiProcess[];
  let workers: WorkerProcess[];
  let endpoint: Awaited<ReturnType<typeof slowEndpoint>>;
  let inboxId: string;
  let apiKey: string;

  beforeAll(async () => {
    fixtures = await bootStack({ worker: false });
    db = fixtures.api.get(DataSource);
    ws = await createWorkspace(fixtures.api);
    endpoint = await slowEndpoint(150);
    inboxId = (await ws.addInbox({ channel: 'api', config: { webhookUrl: endpoint.url } })).id;
    apiKey = await ws.addApiKey();
    [apis, workers] = await Promise.all([
      Promise.all([startApi('api-1'), startApi('api-2')]),
      Promise.all([startWorker('worker-1'), startWorker('worker-2')]),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...(apis ?? []), ...(workers ?? [])].map((p) => p.stop()));
    await new Promise((resolve) => endpoint?.server.close(resolve));
    await fixtures?.close();
  }, 60_000);

  it(`loses none of ${MESSAGES} inbound messages while api #1 of two drains after SIGTERM`, async () => {
    const [one, two] = apis;
    const agent = await ws.addMember('agent');
    const socketOnOne = await connectAgent(one.url, await login(one.url, agent.email));
    const disconnected = new Promise<string>((resolve) => socketOnOne.socket.once('disconnect', resolve));
    await eventually(async () => {
      const [row] = await db.query(
        `SELECT availability FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
        [ws.workspaceId, agent.id],
      );
      return row?.availability === 'online';
    });

    const acknowledged = new Map<string, 'one' | 'two'>();
    let next = 0;
    let terminated = false;
    // Each sender behaves like a client behind a proxy: api #1 until it refuses, then api #2. A
    // retry repeats the externalId, so a message is taken in once whichever process answers.
    const sender = async () => {
      for (let i = next++; i < MESSAGES; i = next++) {
        const externalId = `load-${i}`;
        for (let attempt = 0; ; attempt++) {
          const target = one.running && attempt === 0 ? one : two;
          try {
            const posted = await client(target.url, { apiKey })(
              'POST',
              `/api/v1/inboxes/${inboxId}/inbound`,
              { externalId, contact: { identifier: `load-cust-${i % 40}` }, body: `load message ${i}` },
            );
            if (posted.status === 201 || posted.status === 200) {
              acknowledged.set(externalId, target === one ? 'one' : 'two');
              break;
            }
            if (posted.status !== 503)
              throw new Error(`unexpected ${posted.status}: ${JSON.stringify(posted.body)}`);
          } catch (error) {
            // Refused or reset: that process is going away and the proxy would try another.
            if ((error as Error).message.startsWith('unexpected')) throw error;
          }
          if (attempt > 20) throw new Error(`${externalId} never acknowledged`);
        }
        if (!terminated && acknowledged.size >= MESSAGES * 0.3) {
          terminated = true;
          one.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));

    expect(await one.exited).toEqual({ code: 0, signal: null });
    expect(one.logs.map((r) => r.message)).toEqual(
      expect.arrayContaining(['SIGTERM received: draining', 'drained: exiting']),
    );
    expect(await disconnected).toBe('io server disconnect');
    // A process going away is not the agent going away: still online (their app reconnects elsewhere).
    const [membership] = await db.query(
      `SELECT availability FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
      [ws.workspaceId, agent.id],
    );
    expect(membership.availability).toBe('online');
    expect(acknowledged.size).toBe(MESSAGES);
    const byOne = [...acknowledged.values()].filter((p) => p === 'one').length;
    expect(byOne).toBeGreaterThan(0);
    expect(byOne).toBeLessThan(MESSAGES);

    // Every acknowledged message is stored, exactly once.
    const [stored] = await db.query(
      `SELECT count(*)::int AS rows, count(DISTINCT external_id)::int AS distinct_ids
         FROM messages WHERE inbox_id = $1 AND external_id LIKE 'load-%'`,
      [inboxId],
    );
    expect(stored).toEqual({ rows: MESSAGES, distinct_ids: MESSAGES });
    // The survivor kept serving throughout.
    expect((await fetch(`${two.url}/health/ready`)).status).toBe(200);
  }, 180_000);

  it(`delivers each of ${REPLIES} replies exactly once while worker #1 of two stops after SIGTERM`, async () => {
    const [, two] = apis;
    const [first, second] = workers;
    const agent = client(two.url, { token: await login(two.url, ws.admin.email) });
    const conversations: Array<{ id: string }> = await db.query(
      `SELECT id FROM conversations WHERE reply_inbox_id = $1 ORDER BY created_at LIMIT 20`,
      [inboxId],
    );
    const replyIds: string[] = [];
    for (let i = 0; i < REPLIES; i++) {
      const reply = await agent(
        'POST',
        `/api/v1/conversations/${conversations[i % conversations.length].id}/messages`,
        {
          body: `reply ${i}`,
        },
      );
      expect(reply.status).toBe(201);
      replyIds.push(reply.body.id);
    }
    // Deliveries are under way (each takes the endpoint 150 ms): stop worker #1 in the middle.
    await eventually(() => endpoint.ids.length >= 5 || undefined, 60_000);
    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.logs.map((r) => r.message)).toContain('drained: exiting');

    await eventually(() => replyIds.every((id) => endpoint.ids.includes(id)) || undefined, 90_000);
    const deliveries = new Map<string, number>();
    for (const id of endpoint.ids) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    expect(replyIds.filter((id) => deliveries.get(id) !== 1)).toEqual([]);
    // The delivery result is recorded right after the endpoint answers.
    await eventually(async () => {
      const rows: Array<{ status: string }> = await db.query(
        `SELECT status FROM messages WHERE id = ANY($1)`,
        [replyIds],
      );
      return rows.length === REPLIES && rows.every((m) => m.status === 'sent');
    });
    expect(second.running).toBe(true);
    // The survivor timed the deliveries it ran: how long each waited in the queue and how long it took.
    const exposition = await second.metrics();
    expect(exposition).toMatch(
      /parley_job_duration_seconds_count\{queue="delivery",job="delivery.deliver",outcome="completed"\} [1-9]/,
    );
    expect(exposition).toMatch(
      /parley_job_wait_seconds_count\{queue="delivery",job="delivery.deliver"\} [1-9]/,
    );
  }, 180_000);
});
