import { DataSource } from 'typeorm';
import {
  createWorkspace,
  eventually,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TwilioFake,
} from '@parley/testing';
import { startApi, startWorker, type ApiProcess, type WorkerProcess } from '../../support/processes.js';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../../support/stack.js';
import { providerLoad, type LoadFigures } from './figures.js';

/** A Twilio MessageSid for load message `index` (SM + 32 hex digits). */
export const loadSid = (index: number) => `SM${'f'.repeat(8)}${index.toString(16).padStart(24, '0')}`;

/** How long a child process may take to come up (a safety net on a loaded machine, not a timing check). */
export const STARTUP_MS = 240_000;

export interface Fault {
  down(): Promise<void>;
  up(): Promise<void>;
}

/**
 * The scene of the Redis and PostgreSQL faults: an api and a worker as real child processes (on
 * the environment's DATABASE_URL and REDIS_URL, which the test points at its private server), an
 * agent socket on the api, and Twilio (the fake) posting signed inbound SMS webhooks.
 */
export class InboundScene {
  readonly fake = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  fixtures!: Stack;
  db!: DataSource;
  api!: ApiProcess;
  worker!: WorkerProcess;
  socket!: AgentClient;
  inboxId = '';
  private token = '';

  async start(): Promise<void> {
    process.env.TWILIO_API_BASE_URL = await this.fake.start();
    this.fixtures = await bootStack({ worker: false });
    this.db = this.fixtures.api.get(DataSource);
    const ws = await createWorkspace(this.fixtures.api);
    this.inboxId = (await ws.addInbox({ channel: 'sms' })).id;
    const agent = await ws.addMember('agent');
    // Started one after the other, with a generous wait: the machine may be busy compiling both.
    this.worker = await startWorker('worker-1', {}, STARTUP_MS);
    this.api = await startApi('api-1', {}, STARTUP_MS);
    this.token = await login(this.api.url, agent.email);
    this.socket = await connectAgent(this.api.url, this.token);
  }

  async stop(): Promise<void> {
    this.socket?.close();
    await Promise.all([this.api?.stop(), this.worker?.stop()]);
    await this.fixtures?.close();
    await this.fake.stop();
    delete process.env.TWILIO_API_BASE_URL;
  }

  /** One signed inbound SMS webhook to the api child; resolves with the HTTP status. */
  async text(index: number, body = `load message ${index}`): Promise<number> {
    const answer = await this.fake.sendInbound(
      { appUrl: this.api.url, publicUrl: process.env.PUBLIC_URL ?? '', inboxId: this.inboxId },
      {
        MessageSid: loadSid(index),
        From: `+1415666${(index % 100).toString().padStart(4, '0')}`,
        Body: body,
      },
    );
    return answer.status;
  }

  /**
   * Posts `count` webhooks, retried like Twilio retries; takes the server down once 30% are
   * acknowledged and brings it back after `downFor` failed answers (5xx or refused) or, when
   * the api keeps acknowledging through the outage, after `downFor` acknowledgements.
   */
  async loadWithFault(
    count: number,
    fault: Fault,
    downFor: number,
  ): Promise<LoadFigures & { failedWhileDown: number; acknowledgedWhileDown: number }> {
    let phase = 'before' as 'before' | 'down' | 'after';
    let transition: Promise<void> | null = null;
    const atDown = { failed: 0, acknowledged: 0 };
    const during = { failed: 0, acknowledged: 0 };
    const figures = await providerLoad({
      count,
      senders: 4,
      post: (index) => this.text(index),
      between: async (load) => {
        if (transition) return transition;
        const failed = load.answers5xx + load.connectionErrors;
        if (phase === 'before' && load.acknowledged >= count * 0.3) {
          transition = fault.down().then(() => {
            phase = 'down';
            Object.assign(atDown, { failed, acknowledged: load.acknowledged });
          });
        } else if (
          phase === 'down' &&
          (failed - atDown.failed >= downFor || load.acknowledged - atDown.acknowledged >= downFor)
        ) {
          Object.assign(during, {
            failed: failed - atDown.failed,
            acknowledged: load.acknowledged - atDown.acknowledged,
          });
          transition = fault.up().then(() => void (phase = 'after'));
        }
        if (transition) await transition.finally(() => (transition = null));
      },
    });
    if (phase !== 'after') throw new Error(`the load ended with the fault ${phase}`);
    return {
      ...figures,
      failedWhileDown: during.failed,
      acknowledgedWhileDown: during.acknowledged,
    };
  }

  /** How many rows the load left in `messages` (all, and distinct MessageSids). */
  async stored(): Promise<{ rows: number; distinct: number }> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS rows, count(DISTINCT external_id)::int AS distinct
         FROM messages WHERE inbox_id = $1 AND direction = 'in' AND external_id LIKE 'SMffffffff%'`,
      [this.inboxId],
    );
    return row;
  }

  async outboxPending(): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL`);
    return row.n;
  }

  /**
   * After the fault: a new inbound message reaches the agent's socket (realtime), a reply goes
   * out through the worker to Twilio (jobs) and the outbox drains to 0.
   */
  async resumes(index: number): Promise<{ outboxPending: number }> {
    const status = await eventually(
      async () => ((await this.text(index, 'after the fault')) === 200 ? 200 : undefined),
      60_000,
    );
    expect(status).toBe(200);
    const live = await this.socket.next(
      'message.created',
      (p) => p.message.externalId === loadSid(index),
      60_000,
    );
    const agent = client(this.api.url, { token: this.token });
    const reply = await agent('POST', `/api/v1/conversations/${live.message.conversationId}/messages`, {
      body: 'We are back',
    });
    expect(reply.status).toBe(201);
    await eventually(
      () =>
        this.fake.messages.some((m) =>
          String(m.fields.StatusCallback).endsWith(`messageId=${reply.body.id}`),
        ) || undefined,
      60_000,
    );
    const outboxPending = await eventually(
      async () => ((await this.outboxPending()) === 0 ? 0 : undefined),
      60_000,
    );
    return { outboxPending };
  }
}
