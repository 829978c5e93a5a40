import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { signMailgun } from '@parley/channels';
import {
  createWorkspace,
  DovecotServer,
  eventually,
  GraphFake,
  TWILIO_TEST_ACCOUNT_SID as ACCOUNT,
  TWILIO_TEST_AUTH_TOKEN as TOKEN,
  TwilioFake,
  type FakeTwilioMessage,
  type WorkspaceFixture,
} from '@parley/testing';
import { addWebchatInbox, connectWidget, echoId } from '../e2e/widget-client.js';
import { bootStack, client, connectAgent, login, type AgentClient, type Stack } from '../support/stack.js';
import { report } from './support/figures.js';

const PAGE = '1000000000777';
const IG_ACCOUNT = '1780000000777';
const APP_SECRET = 'meta-app-secret';
const PAGE_TOKEN = 'page-access-token';
const SIGNING_KEY = 'mailgun-signing-key-for-chaos';
const IMAP_USER = 'chaos';
/** Each webhook is posted this many times at once, then once more later (a replay). */
const COPIES = 3;

const RANK: Record<string, number> = {
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  undelivered: 6,
};

/**
 * Item 4 of the faults: every channel's webhooks arrive duplicated (concurrently), replayed (later,
 * after other traffic) and, for delivery statuses, out of order. Each message is stored once, and
 * a message's status, as stored and as pushed to agents, never moves back.
 */
describe('duplicate, replayed and out-of-order webhooks on every channel', () => {
  const twilio = new TwilioFake().addAccount(ACCOUNT, TOKEN);
  const graph = new GraphFake().addPage(PAGE, PAGE_TOKEN).addPage(IG_ACCOUNT, PAGE_TOKEN);
  let stack: Stack;
  let dovecot: DovecotServer;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let socket: AgentClient;
  let agent: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  const inboxes: Record<
    'sms' | 'whatsapp' | 'messenger' | 'instagram' | 'email' | 'api' | 'webchat',
    string
  > = {
    sms: '',
    whatsapp: '',
    messenger: '',
    instagram: '',
    email: '',
    api: '',
    webchat: '',
  };
  let websiteToken = '';
  let apiKey = '';
  const figures = {
    webhooks: 0,
    acknowledged: 0,
    refusedReplays: 0,
    expectedMessages: 0,
    storedMessages: 0,
    statusCallbacks: 0,
    statusRegressions: 0,
  };

  beforeAll(async () => {
    process.env.TWILIO_API_BASE_URL = await twilio.start();
    process.env.META_GRAPH_BASE_URL = await graph.start();
    dovecot = await DovecotServer.start();
    stack = await bootStack();
    db = stack.api.get(DataSource);
    ws = await createWorkspace(stack.api);
    admin = client(stack.url, { token: await login(stack.url, ws.admin.email) });
    inboxes.sms = (await ws.addInbox({ channel: 'sms' })).id;
    inboxes.whatsapp = (
      await ws.addInbox({ channel: 'whatsapp', config: { accountSid: ACCOUNT, from: '+14155238886' } })
    ).id;
    for (const [channel, pageId] of [
      ['messenger', PAGE],
      ['instagram', IG_ACCOUNT],
    ] as const) {
      const created = await admin('POST', '/api/v1/inboxes', {
        name: channel,
        channel,
        config: { pageId, appId: '424242424242' },
        secrets: { pageAccessToken: PAGE_TOKEN, appSecret: APP_SECRET, verifyToken: `${channel}-verify` },
      });
      expect(created.status).toBe(201);
      inboxes[channel] = created.body.inbox.id;
    }
    const email = await admin('POST', '/api/v1/inboxes', {
      name: 'Support email',
      channel: 'email',
      config: {
        address: 'support@chaos.test',
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: IMAP_USER, folder: 'INBOX' },
      },
      secrets: { imapPassword: 'pass', webhookSigningKey: SIGNING_KEY },
    });
    expect(email.status).toBe(201);
    inboxes.email = email.body.inbox.id;
    inboxes.api = (await ws.addInbox({ channel: 'api' })).id;
    const webchat = await addWebchatInbox(stack, ws);
    inboxes.webchat = webchat.id;
    websiteToken = webchat.websiteToken;
    apiKey = await ws.addApiKey();
    const member = await ws.addMember('agent');
    const token = await login(stack.url, member.email);
    agent = client(stack.url, { token });
    socket = await connectAgent(stack.url, token);
  }, 120_000);

  afterAll(async () => {
    report('duplicate-webhooks', figures);
    socket?.close();
    await stack?.close();
    await dovecot?.stop();
    await twilio.stop();
    await graph.stop();
    delete process.env.TWILIO_API_BASE_URL;
    delete process.env.META_GRAPH_BASE_URL;
  }, 60_000);

  /** Posts a webhook COPIES times at once, then `replays` more times one by one; returns the statuses. */
  const storm = async (post: () => Promise<number>, replays = 1): Promise<number[]> => {
    const answers = await Promise.all(Array.from({ length: COPIES }, post));
    for (let i = 0; i < replays; i++) answers.push(await post());
    figures.webhooks += answers.length;
    figures.acknowledged += answers.filter((s) => s >= 200 && s < 300).length;
    return answers;
  };

  const storedOnce = async (inboxId: string, externalIds: string[]): Promise<void> => {
    const rows: Array<{ external_id: string; n: number }> = await db.query(
      `SELECT external_id, count(*)::int AS n FROM messages WHERE inbox_id = $1 AND external_id = ANY($2) GROUP BY external_id`,
      [inboxId, externalIds],
    );
    figures.expectedMessages += externalIds.length;
    figures.storedMessages += rows.reduce((sum, r) => sum + r.n, 0);
    expect(Object.fromEntries(rows.map((r) => [r.external_id, r.n]))).toEqual(
      Object.fromEntries(externalIds.map((id) => [id, 1])),
    );
  };

  /** The statuses agents saw for a message, in order, must never move back (and the row ends at `final`). */
  const monotonic = async (messageId: string, final: string): Promise<void> => {
    await eventually(async () => {
      const [row] = await db.query(`SELECT status FROM messages WHERE id = $1`, [messageId]);
      return row.status === final || undefined;
    });
    await socket.next('message.updated', (p) => p.message.id === messageId && p.message.status === final);
    const seen = socket.events
      .filter((e) => e.event === 'message.updated' && e.payload.message.id === messageId)
      .map((e) => String(e.payload.message.status));
    const regressions = seen.filter((status, i) => i > 0 && RANK[status] < RANK[seen[i - 1]]).length;
    figures.statusRegressions += regressions;
    expect({ seen, regressions }).toEqual({ seen: expect.arrayContaining([final]), regressions: 0 });
    expect(seen.at(-1)).toBe(final);
  };

  const twilioTarget = (inboxId: string) => ({
    appUrl: stack.url,
    publicUrl: process.env.PUBLIC_URL ?? '',
    inboxId,
  });
  let sids = 0;
  const sid = () => `SM${'c'.repeat(8)}${(sids += 1).toString(16).padStart(24, '0')}`;

  /** A reply on `inboxId` to the conversation of inbound `externalId`, as sent to the Twilio fake. */
  const twilioReply = async (
    inboxId: string,
    externalId: string,
    body: string,
  ): Promise<FakeTwilioMessage> => {
    const [row] = await db.query(`SELECT conversation_id FROM messages WHERE external_id = $1`, [externalId]);
    const reply = await agent('POST', `/api/v1/conversations/${row.conversation_id}/messages`, {
      body,
      inboxId,
    });
    expect(reply.status).toBe(201);
    const sent = await eventually(() =>
      twilio.messages.find((m) => String(m.fields.StatusCallback).endsWith(`messageId=${reply.body.id}`)),
    );
    await eventually(async () => {
      const [m] = await db.query(`SELECT status FROM messages WHERE id = $1`, [reply.body.id]);
      return m.status === 'sending' || undefined;
    });
    return sent;
  };
  const messageIdOf = (sent: FakeTwilioMessage) =>
    new URL(String(sent.fields.StatusCallback)).searchParams.get('messageId') ?? '';

  it('Twilio SMS and WhatsApp: inbound once each; status callbacks out of order never move back', async () => {
    const from = { sms: '+14155550900', whatsapp: 'whatsapp:+14155550901' } as const;
    const inbound: Record<'sms' | 'whatsapp', string[]> = { sms: [], whatsapp: [] };
    for (const channel of ['sms', 'whatsapp'] as const)
      for (let i = 0; i < 3; i++) {
        const messageSid = sid();
        inbound[channel].push(messageSid);
        const params = {
          MessageSid: messageSid,
          From: from[channel],
          To: channel === 'sms' ? '+15005550006' : 'whatsapp:+14155238886',
          Body: `${channel} ${i}`,
        };
        const answers = await storm(
          async () => (await twilio.sendInbound(twilioTarget(inboxes[channel]), params)).status,
        );
        expect(answers.every((s) => s === 200)).toBe(true);
      }
    // A replay of the first, after the others.
    for (const channel of ['sms', 'whatsapp'] as const) {
      const params = { MessageSid: inbound[channel][0], From: from[channel], Body: `${channel} 0` };
      expect((await twilio.sendInbound(twilioTarget(inboxes[channel]), params)).status).toBe(200);
      figures.webhooks += 1;
      figures.acknowledged += 1;
      await storedOnce(inboxes[channel], inbound[channel]);
    }

    // Out-of-order callbacks, each duplicated: [sequence sent, status it must end at].
    const orders: Array<[string[], string]> = [
      [['delivered', 'sent', 'queued', 'sending'], 'delivered'],
      [['read', 'delivered', 'sent'], 'read'],
      [['sent', 'delivered', 'failed', 'undelivered'], 'delivered'],
      [['sent', 'undelivered', 'delivered', 'read'], 'undelivered'],
    ];
    for (const channel of ['sms', 'whatsapp'] as const)
      for (const [sequence, final] of orders) {
        const sent = await twilioReply(
          inboxes[channel],
          inbound[channel][0],
          `${channel} ${sequence.join('>')}`,
        );
        for (const status of sequence) {
          const answers = await storm(
            async () => (await twilio.sendStatus(twilioTarget(inboxes[channel]), sent, status)).status,
            0,
          );
          figures.statusCallbacks += answers.length;
          expect(answers.every((s) => s === 200)).toBe(true);
        }
        await monotonic(messageIdOf(sent), final);
      }
  }, 120_000);

  it('Messenger and Instagram: a mid once, whether repeated, batched or replayed; watermarks forward only', async () => {
    for (const [channel, pageId, object] of [
      ['messenger', PAGE, 'page'],
      ['instagram', IG_ACCOUNT, 'instagram'],
    ] as const) {
      const psid = channel === 'messenger' ? '2000000000771' : '2000000000772';
      const hook = { appUrl: stack.url, inboxId: inboxes[channel], appSecret: APP_SECRET };
      const mids = [1, 2, 3].map((i) => `m_chaos_${channel}_${i}`);
      const event = (at: number, body: Record<string, unknown>) => ({
        sender: { id: psid },
        recipient: { id: pageId },
        timestamp: at,
        ...body,
      });
      const batch = {
        object,
        entry: [
          { id: pageId, time: 1, messaging: [event(1, { message: { mid: mids[0], text: 'one' } })] },
          {
            id: pageId,
            time: 2,
            messaging: [
              event(2, { message: { mid: mids[1], text: 'two' } }),
              event(3, { message: { mid: mids[2], text: 'three' } }),
            ],
          },
        ],
      };
      expect(
        (await storm(async () => (await graph.sendWebhook(hook, batch)).status)).every((s) => s === 200),
      ).toBe(true);
      // The same mid again on its own, with other text (Meta repeats events, not always byte for byte).
      const single = {
        object,
        entry: [
          { id: pageId, time: 4, messaging: [event(4, { message: { mid: mids[1], text: 'two again' } })] },
        ],
      };
      expect(
        (await storm(async () => (await graph.sendWebhook(hook, single)).status)).every((s) => s === 200),
      ).toBe(true);
      await storedOnce(inboxes[channel], mids);

      // A reply, then watermarks out of order (read before delivery) and repeated.
      const [row] = await db.query(`SELECT conversation_id FROM messages WHERE external_id = $1`, [mids[0]]);
      const reply = await agent('POST', `/api/v1/conversations/${row.conversation_id}/messages`, {
        body: `${channel} reply`,
      });
      expect(reply.status).toBe(201);
      await eventually(async () => {
        const [m] = await db.query(`SELECT status FROM messages WHERE id = $1`, [reply.body.id]);
        return m.status === 'sent' || undefined;
      });
      const watermark = (field: 'delivery' | 'read', at: number) => ({
        object,
        entry: [{ id: pageId, time: at, messaging: [event(at, { [field]: { watermark: at } })] }],
      });
      const later = Date.now() + 60_000;
      for (const [field, at] of [
        ['read', later],
        ['delivery', later + 1000],
        ['delivery', later - 1000],
      ] as const) {
        const answers = await storm(
          async () => (await graph.sendWebhook(hook, watermark(field, at))).status,
          0,
        );
        figures.statusCallbacks += answers.length;
        expect(answers.every((s) => s === 200)).toBe(true);
      }
      await monotonic(reply.body.id, 'read');
    }
  }, 120_000);

  it('email: the same mail by webhook (concurrently, with fresh tokens) and over IMAP is one message; a replayed token is refused', async () => {
    const messageIds = [1, 2].map((i) => `<chaos-${i}-${randomBytes(4).toString('hex')}@mail.example.com>`);
    const raw = (messageId: string) =>
      [
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'From: Ana Souza <ana.chaos@example.com>',
        'To: support@chaos.test',
        `Subject: Duplicate ${messageId}`,
        `Message-ID: ${messageId}`,
        `Date: ${new Date().toUTCString()}`,
        '',
        'Is this stored once?',
        '',
      ].join('\r\n');
    const post = async (mime: string, token = randomBytes(25).toString('hex')) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const form = new FormData();
      form.set('body-mime', new Blob([mime]), 'message.mime');
      form.set('timestamp', timestamp);
      form.set('token', token);
      form.set('signature', signMailgun(SIGNING_KEY, timestamp, token));
      return (await fetch(`${stack.url}/webhooks/email/${inboxes.email}`, { method: 'POST', body: form }))
        .status;
    };
    for (const messageId of messageIds)
      expect((await storm(() => post(raw(messageId)))).every((s) => s === 200)).toBe(true);
    // The provider's exact request again (same token): a replay, refused, nothing stored.
    const token = randomBytes(25).toString('hex');
    const mime = raw(messageIds[0]);
    expect(await post(mime, token)).toBe(200);
    const replayed = await post(mime, token);
    expect(replayed).toBe(403);
    figures.webhooks += 2;
    figures.acknowledged += 1;
    figures.refusedReplays += 1;
    // The same mails also land in the IMAP mailbox the worker polls, the first one twice.
    for (const messageId of [messageIds[0], ...messageIds]) await dovecot.append(IMAP_USER, raw(messageId));
    await eventually(
      async () =>
        ((await admin('GET', `/api/v1/inboxes/${inboxes.email}`)).body.mailbox?.lastUid ?? 0) >= 3 ||
        undefined,
      30_000,
    );
    await storedOnce(inboxes.email, messageIds);
  }, 120_000);

  it('API channel: one message per externalId, however often and concurrently it is posted', async () => {
    const integration = client(stack.url, { apiKey });
    const ids = [1, 2, 3].map((i) => `chaos-crm-${i}`);
    for (const externalId of ids) {
      const answers = await storm(
        async () =>
          (
            await integration('POST', `/api/v1/inboxes/${inboxes.api}/inbound`, {
              externalId,
              contact: { identifier: 'chaos-customer' },
              body: `order ${externalId}`,
            })
          ).status,
      );
      expect(answers.filter((s) => s === 201)).toHaveLength(1);
      expect(answers.filter((s) => s === 200)).toHaveLength(COPIES);
    }
    await storedOnce(inboxes.api, ids);
  });

  it('web chat: one message per echoId, when the widget resends concurrently or after a lost ack', async () => {
    const { client: visitor } = await connectWidget(stack.url, { websiteToken });
    try {
      const echoes = [echoId(), echoId()];
      const stored: string[] = [];
      for (const echo of echoes) {
        const acks: Array<{ ok: boolean; message: { id: string } }> = [];
        const answers = await storm(async () => {
          // A generous ack timeout: the machine is shared and this is not a latency test.
          const ack = await visitor.socket
            .timeout(30_000)
            .emitWithAck('message.send', { body: `widget ${echo}`, echoId: echo });
          acks.push(ack);
          return ack.ok ? 200 : 500;
        });
        expect(answers.every((s) => s === 200)).toBe(true);
        expect(new Set(acks.map((a) => a.message.id)).size).toBe(1);
        stored.push(acks[0].message.id);
      }
      const rows: Array<{ echo: string; n: number }> = await db.query(
        `SELECT metadata->>'echoId' AS echo, count(*)::int AS n FROM messages
          WHERE inbox_id = $1 AND direction = 'in' AND metadata->>'echoId' = ANY($2) GROUP BY 1`,
        [inboxes.webchat, echoes],
      );
      figures.expectedMessages += echoes.length;
      figures.storedMessages += rows.reduce((sum, r) => sum + r.n, 0);
      expect(Object.fromEntries(rows.map((r) => [r.echo, r.n]))).toEqual(
        Object.fromEntries(echoes.map((e) => [e, 1])),
      );
      expect(new Set(stored).size).toBe(echoes.length);
    } finally {
      visitor.close();
    }
  });
});
