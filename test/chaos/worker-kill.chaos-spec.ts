import { DataSource } from 'typeorm';
import { JobQueues } from '@parley/jobs';
import {
  createWorkspace,
  eventually,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TwilioFake,
  type FakeTwilioMessage,
} from '@parley/testing';
import { startWorker, type WorkerProcess } from '../support/processes.js';
import { bootStack, client, login, type Stack } from '../support/stack.js';
import { report, sized } from './support/figures.js';
import { STARTUP_MS } from './support/inbound-fault.js';

const DELIVERIES = sized(600, 5000);
const CUSTOMERS = 50;
const KILL_AT = 0.3;

/** The message id a delivery carries in its StatusCallback (…/status?messageId=<id>). */
const messageIdOf = (sent: FakeTwilioMessage) =>
  new URL(String(sent.fields.StatusCallback)).searchParams.get('messageId') ?? '';

/**
 * kill -9 of the only worker in the middle of a burst of SMS replies: every reply still reaches
 * the provider (the Twilio fake); one reaches it twice only if its send was in flight at the kill
 * (the provider took it, the worker died before recording it, the job ran again).
 */
describe('kill -9 of the worker during outbound deliveries', () => {
  const fake = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  let fixtures: Stack;
  let db: DataSource;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    process.env.TWILIO_API_BASE_URL = await fake.start();
    fixtures = await bootStack({ worker: false });
    db = fixtures.api.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await fixtures?.close();
    await fake.stop();
    delete process.env.TWILIO_API_BASE_URL;
  }, 60_000);

  it(`delivers each of ${DELIVERIES} replies; duplicates only for sends in flight at the kill`, async () => {
    const ws = await createWorkspace(fixtures.api);
    const sms = (await ws.addInbox({ channel: 'sms' })).id;
    const target = { appUrl: fixtures.url, publicUrl: process.env.PUBLIC_URL ?? '', inboxId: sms };
    const agent = client(fixtures.url, { token: await login(fixtures.url, ws.admin.email) });

    // Customers text in; the agent's replies go back over SMS, queued while no worker runs.
    const conversations: string[] = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const messageSid = `SM${c.toString(16).padStart(32, '0')}`;
      const from = `+1415555${c.toString().padStart(4, '0')}`;
      expect(
        (await fake.sendInbound(target, { MessageSid: messageSid, From: from, Body: 'hi' })).status,
      ).toBe(200);
      const [row] = await db.query(`SELECT conversation_id FROM messages WHERE external_id = $1`, [
        messageSid,
      ]);
      conversations.push(row.conversation_id);
    }
    const replies: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < DELIVERIES; i = next++) {
          const posted = await agent(
            'POST',
            `/api/v1/conversations/${conversations[i % CUSTOMERS]}/messages`,
            {
              body: `reply ${i}`,
            },
          );
          expect(posted.status).toBe(201);
          replies.push(posted.body.id);
        }
      }),
    );
    const ours = new Set(replies);

    workers.push(await startWorker('worker-1', {}, STARTUP_MS));
    await eventually(() => fake.messages.length >= DELIVERIES * KILL_AT || undefined, 180_000);
    workers[0].kill('SIGKILL');
    expect((await workers[0].exited).signal).toBe('SIGKILL');

    // In flight at the kill: jobs the dead worker held, and of those the sends the provider took
    // that the worker never recorded (the message is still `queued`).
    const activeAtKill = await fixtures.api.get(JobQueues).queue('delivery').getActiveCount();
    const atProviderAtKill = new Set(fake.messages.map(messageIdOf));
    const stillQueued: Array<{ id: string }> = await db.query(
      `SELECT id FROM messages WHERE id = ANY($1) AND status = 'queued'`,
      [[...atProviderAtKill]],
    );
    const inFlight = new Set(stillQueued.map((r) => r.id));

    // A new worker takes over, the dead one's jobs included once their locks expire (stalled jobs).
    workers.push(await startWorker('worker-2', {}, STARTUP_MS));
    await eventually(async () => {
      const [{ left }] = await db.query(
        `SELECT count(*)::int AS left FROM messages WHERE id = ANY($1) AND status = 'queued'`,
        [replies],
      );
      return left === 0 || undefined;
    }, 240_000);

    const sends = new Map<string, number>();
    for (const sent of fake.messages) sends.set(messageIdOf(sent), (sends.get(messageIdOf(sent)) ?? 0) + 1);
    const duplicated = [...sends].filter(([, n]) => n > 1).map(([id]) => id);
    const statuses: Array<{ status: string; n: number }> = await db.query(
      `SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1) GROUP BY status`,
      [replies],
    );
    report('worker-kill', {
      deliveries: DELIVERIES,
      atProviderAtKill: atProviderAtKill.size,
      activeJobsAtKill: activeAtKill,
      inFlightAtKill: inFlight.size,
      distinctAtProvider: sends.size,
      sendsAtProvider: fake.messages.length,
      duplicates: fake.messages.length - sends.size,
    });

    expect(replies.filter((id) => !sends.has(id))).toEqual([]);
    expect([...sends.keys()].filter((id) => !ours.has(id))).toEqual([]);
    // Every duplicate was a send in flight at the kill, and went out at most twice.
    expect(duplicated.filter((id) => !inFlight.has(id))).toEqual([]);
    expect(Math.max(...sends.values())).toBeLessThanOrEqual(2);
    expect(inFlight.size).toBeLessThanOrEqual(activeAtKill);
    // Every reply recorded as handed to Twilio (`sending` until its status callback), none failed.
    expect(statuses).toEqual([{ status: 'sending', n: DELIVERIES }]);
  }, 900_000);
});
