import { DataSource } from 'typeorm';
import { createWorkspace, DovecotServer, eventually, type WorkspaceFixture } from '@parley/testing';
import { type ApiProcess, startApi, startWorker, type WorkerProcess } from '../support/processes.js';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';

const IMAP_USER = 'scale';

function mail(messageId: string, subject: string): string {
  return [
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'From: Rui <rui@example.com>',
    'To: support@acme.test',
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    '',
    `${subject}, please.`,
    '',
  ].join('\r\n');
}

/**
 * The deployment shape of docs/operations.md on loopback: two api processes and two workers as
 * separate OS processes (run from the sources), one PostgreSQL, one Redis, a real IMAP server.
 * The in-process stack only builds fixtures; no traffic goes through it.
 */
describe('two api processes and two workers as separate processes', () => {
  let fixtures: Stack;
  let db: DataSource;
  let dovecot: DovecotServer;
  let apis: ApiProcess[];
  let workers: WorkerProcess[];
  let ws: WorkspaceFixture;
  let socketOnTwo: AgentClient;

  beforeAll(async () => {
    fixtures = await bootStack({ worker: false });
    db = fixtures.api.get(DataSource);
    dovecot = await DovecotServer.start();
    ws = await createWorkspace(fixtures.api);
    [apis, workers] = await Promise.all([
      Promise.all([startApi('api-1'), startApi('api-2')]),
      Promise.all([startWorker('worker-1'), startWorker('worker-2')]),
    ]);
  }, 180_000);

  afterAll(async () => {
    socketOnTwo?.close();
    await Promise.all([...(apis ?? []), ...(workers ?? [])].map((p) => p.stop()));
    await dovecot?.stop();
    await fixtures?.close();
  }, 60_000);

  it('pushes a message ingested through api #1 to an agent socket on api #2, logging it with the request id', async () => {
    const [one, two] = apis;
    const inbox = await ws.addInbox({ channel: 'api' });
    const agent = await ws.addMember('agent');
    socketOnTwo = await connectAgent(two.url, await login(two.url, agent.email));

    const posted = await client(one.url, { apiKey: await ws.addApiKey() })(
      'POST',
      `/api/v1/inboxes/${inbox.id}/inbound`,
      { contact: { identifier: 'cust-proc' }, body: 'Hello across processes' },
      { 'x-request-id': 'scale-out-req-1' },
    );
    expect(posted.status).toBe(201);
    expect(posted.headers.get('x-request-id')).toBe('scale-out-req-1');
    const live = await socketOnTwo.next('message.created', (p) => p.message.id === posted.body.message.id);
    expect(live.message.body).toBe('Hello across processes');

    // api #1 wrote a structured access line for that request, carrying its id; api #2 did not see it.
    const access = await one.waitForLog((r) => r.requestId === 'scale-out-req-1' && r.context === 'Http');
    expect(access).toMatchObject({ level: 'log', service: 'api', pid: one.pid });
    expect(access.message).toBe(
      `POST /api/v1/inboxes/:inboxId/inbound 201 ${access.message.split(' ').at(-1)}`,
    );
    expect(two.logs.some((r) => r.requestId === 'scale-out-req-1')).toBe(false);
    // Without an incoming id one is generated and echoed.
    const generated = await fetch(`${two.url}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // No credential ever reaches a log line.
    const all = [...one.output, ...two.output].join('\n');
    expect(all).not.toMatch(/pk_[A-Za-z0-9_-]{8,}|eyJ[A-Za-z0-9_-]{5,}\./);
  });

  it('refuses a revoked API key and a disabled inbox on the other api process at once, though both cache them', async () => {
    const [one, two] = apis;
    const inbox = await ws.addInbox({ channel: 'api' });
    const admin = client(one.url, { token: await login(one.url, ws.admin.email) });
    const created = await admin('POST', '/api/v1/api-keys', { name: 'cached on api #2' });
    expect(created.status).toBe(201);
    const onTwo = client(two.url, { apiKey: created.body.key });
    const post = (n: number) =>
      onTwo('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
        contact: { identifier: 'cust-cache' },
        body: `Message ${n}`,
      });
    // api #2 now holds both the key and the inbox in its memory.
    expect((await post(1)).status).toBe(201);
    expect((await post(2)).status).toBe(201);

    expect((await admin('DELETE', `/api/v1/inboxes/${inbox.id}`)).status).toBe(204);
    await eventually(async () => (await post(3)).status === 409, 5_000);
    expect((await onTwo('GET', '/api/v1/auth/me')).status).toBe(200);

    expect((await admin('DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    await eventually(async () => (await onTwo('GET', '/api/v1/auth/me')).status === 401, 5_000);
  });

  it('polls an IMAP mailbox from exactly one worker, and the other takes over when it is killed', async () => {
    const inbox = await ws.addInbox({
      channel: 'email',
      config: {
        address: 'support@acme.test',
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: IMAP_USER, folder: 'INBOX' },
      },
      secrets: { imapPassword: 'pass' },
    });
    const pollers = async () =>
      Promise.all(workers.filter((w) => w.running).map((w) => w.metric('parley_imap_pollers')));
    const imported = async (messageId: string) =>
      Number(
        (
          await db.query(`SELECT count(*)::int AS n FROM messages WHERE inbox_id = $1 AND external_id = $2`, [
            inbox.id,
            messageId,
          ])
        )[0].n,
      );

    // One worker wins the mailbox's lock; the other keeps trying on every reconcile and fails.
    const counts = await eventually(async () => {
      const seen = await pollers();
      return seen.reduce((sum, n) => sum! + n!, 0) === 1 ? seen : undefined;
    }, 30_000);
    const holder = workers[counts.indexOf(1)];
    const other = workers[counts.indexOf(0)];

    await dovecot.append(IMAP_USER, mail('<before-kill@example.com>', 'Before the kill'));
    await eventually(async () => (await imported('<before-kill@example.com>')) === 1 || undefined, 30_000);

    // SIGKILL: no shutdown hook runs; PostgreSQL drops the dead connection and with it the lock.
    holder.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');
    await eventually(async () => (await other.metric('parley_imap_pollers')) === 1 || undefined, 30_000);

    await dovecot.append(IMAP_USER, mail('<after-kill@example.com>', 'After the kill'));
    await eventually(async () => (await imported('<after-kill@example.com>')) === 1 || undefined, 30_000);
    // Still once each: the survivor rescans but dedupes, and never polls alongside a second poller.
    expect(await imported('<before-kill@example.com>')).toBe(1);
    expect(await other.metric('parley_imap_pollers')).toBe(1);
  }, 120_000);
});
