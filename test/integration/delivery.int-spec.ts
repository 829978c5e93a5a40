import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { verifyWebhook } from '@parley/channels';
import {
  ConversationsService,
  DeliveryService,
  IngestService,
  RetryDelivery,
  type Actor,
} from '@parley/inbox';
import { JobQueues, OutboxRelay } from '@parley/jobs';
import { createWorkspace, WebhookReceiver, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('outbound pipeline: outbox → queue → API channel webhook → monotonic status', () => {
  let moduleRef: TestingModule;
  let delivery: DeliveryService;
  let conversations: ConversationsService;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let receiver: WebhookReceiver;
  let inbox: { id: string; secrets: Record<string, string> };
  let conversationId: string;
  const agent = (): Actor => ({ type: 'agent', id: ws.admin.id });

  beforeAll(async () => {
    moduleRef = await bootDomain();
    delivery = moduleRef.get(DeliveryService);
    conversations = moduleRef.get(ConversationsService);
    db = moduleRef.get(DataSource);
    receiver = new WebhookReceiver();
    const url = await receiver.start();
    ws = await createWorkspace(moduleRef);
    inbox = await ws.addInbox({ channel: 'api', config: { webhookUrl: url } });
    const inbound = await moduleRef.get(IngestService).ingest({
      workspaceId: ws.workspaceId,
      inboxId: inbox.id,
      externalId: 'in-1',
      identities: [{ kind: 'external', value: 'cust-1' }],
      body: 'hi',
    });
    conversationId = inbound.conversation.id;
  });

  afterAll(async () => {
    await receiver.stop();
    await moduleRef.close();
  });

  it('writes the reply, its events and a delivery job in one transaction, and the relay enqueues it by message id', async () => {
    const reply = await conversations.reply(ws.workspaceId, agent(), conversationId, {
      body: 'Hello from Ana',
    });
    expect(reply.status).toBe('queued');
    const events: Array<{ type: string }> = await db.query(
      `SELECT type FROM conversation_events WHERE message_id = $1 ORDER BY seq`,
      [reply.id],
    );
    expect(events.map((e) => e.type)).toEqual(['agent_reply', 'first_response']);
    await moduleRef.get(OutboxRelay).drain();
    const [pending] = await db.query(`SELECT count(*)::int AS count FROM outbox WHERE dispatched_at IS NULL`);
    expect(pending.count).toBe(0);
    const job = await moduleRef.get(JobQueues).queue('delivery').getJob(reply.id);
    expect(job?.name).toBe('delivery.deliver');
    expect(job?.data).toEqual({ workspaceId: ws.workspaceId, messageId: reply.id });
  });

  it('delivers a signed webhook and records the provider id; a second run is a no-op', async () => {
    const reply = await conversations.reply(ws.workspaceId, agent(), conversationId, {
      body: 'Signed and sealed',
    });
    receiver.respondWith({ status: 200, body: JSON.stringify({ id: 'crm-msg-42' }) });
    const before = receiver.requests.length;
    expect(await delivery.deliver(ws.workspaceId, reply.id, false)).toBe('sent');
    const request = receiver.requests[before];
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({
      event: 'message.created',
      id: reply.id,
      body: 'Signed and sealed',
      to: { kind: 'external', value: 'cust-1' },
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
    const [row] = await db.query('SELECT status, external_id, sent_at FROM messages WHERE id = $1', [
      reply.id,
    ]);
    expect(row).toMatchObject({ status: 'sent', external_id: 'crm-msg-42' });
    expect(row.sent_at).not.toBeNull();
    expect(await delivery.deliver(ws.workspaceId, reply.id, false)).toBe('skipped');
    expect(receiver.requests.length).toBe(before + 1);
  });

  it('retries a 5xx or a dropped connection, then fails for good on the last attempt with the reason', async () => {
    const reply = await conversations.reply(ws.workspaceId, agent(), conversationId, {
      body: 'Flaky receiver',
    });
    receiver.respondWith({ status: 503, body: 'busy' }, 'drop', { status: 500, body: 'still down' });
    await expect(delivery.deliver(ws.workspaceId, reply.id, false)).rejects.toBeInstanceOf(RetryDelivery);
    await expect(delivery.deliver(ws.workspaceId, reply.id, false)).rejects.toBeInstanceOf(RetryDelivery);
    expect(await delivery.deliver(ws.workspaceId, reply.id, true)).toBe('failed');
    const [row] = await db.query(
      'SELECT status, error_code, error_message, attempts FROM messages WHERE id = $1',
      [reply.id],
    );
    expect(row).toMatchObject({ status: 'failed', error_code: 'http_500', attempts: 3 });
    expect(row.error_message).toContain('still down');
  });

  it('does not retry a 4xx refusal', async () => {
    const reply = await conversations.reply(ws.workspaceId, agent(), conversationId, { body: 'Refused' });
    receiver.respondWith({ status: 422, body: '{"error":"unknown customer"}' });
    expect(await delivery.deliver(ws.workspaceId, reply.id, false)).toBe('failed');
    const [row] = await db.query('SELECT status, error_code FROM messages WHERE id = $1', [reply.id]);
    expect(row).toEqual({ status: 'failed', error_code: 'http_422' });
  });

  it('keeps a sent message sent when the receiver reuses a provider id', async () => {
    const first = await conversations.reply(ws.workspaceId, agent(), conversationId, { body: 'one' });
    const second = await conversations.reply(ws.workspaceId, agent(), conversationId, { body: 'two' });
    receiver.respondWith(
      { status: 200, body: '{"id":"same-id"}' },
      { status: 200, body: '{"id":"same-id"}' },
    );
    expect(await delivery.deliver(ws.workspaceId, first.id, false)).toBe('sent');
    expect(await delivery.deliver(ws.workspaceId, second.id, false)).toBe('sent');
    const rows: Array<{ status: string; external_id: string | null; provider: string }> = await db.query(
      `SELECT status, external_id, metadata->>'providerId' AS provider FROM messages WHERE id = ANY($1) ORDER BY created_at`,
      [[first.id, second.id]],
    );
    expect(rows).toEqual([
      { status: 'sent', external_id: 'same-id', provider: 'same-id' },
      { status: 'sent', external_id: null, provider: 'same-id' },
    ]);
  });

  it('purges dispatched outbox rows after a day and keeps pending ones', async () => {
    // The pending row is malformed on purpose, so the running sweeper cannot dispatch it either.
    const [old] = await db.query(
      `INSERT INTO outbox (kind, name, payload, dispatched_at) VALUES ('job', 'delivery.deliver', '{}', now() - interval '2 days') RETURNING id`,
    );
    const [recent] = await db.query(
      `INSERT INTO outbox (kind, name, payload, dispatched_at) VALUES ('job', 'delivery.deliver', '{}', now()) RETURNING id`,
    );
    const [pending] = await db.query(
      `INSERT INTO outbox (kind, name, payload) VALUES ('job', 'not.a-job', '{}') RETURNING id`,
    );
    expect(await moduleRef.get(OutboxRelay).purge()).toBeGreaterThanOrEqual(1);
    const left: Array<{ id: string }> = await db.query(`SELECT id FROM outbox WHERE id = ANY($1::bigint[])`, [
      [old.id, recent.id, pending.id],
    ]);
    expect(left.map((row) => row.id).sort()).toEqual([recent.id, pending.id].sort());
    await db.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [[recent.id, pending.id]]);
  });

  it('moves status forward only', async () => {
    const reply = await conversations.reply(ws.workspaceId, agent(), conversationId, { body: 'Status walk' });
    receiver.respondWith({ status: 200 });
    await delivery.deliver(ws.workspaceId, reply.id, false);
    expect(await delivery.applyStatus(ws.workspaceId, reply.id, 'read')).toBe(true);
    expect(await delivery.applyStatus(ws.workspaceId, reply.id, 'delivered')).toBe(false);
    expect(
      await delivery.applyStatus(ws.workspaceId, reply.id, 'failed', { code: 'x', message: 'late' }),
    ).toBe(false);
    const [row] = await db.query('SELECT status, read_at FROM messages WHERE id = $1', [reply.id]);
    expect(row.status).toBe('read');
    expect(row.read_at).not.toBeNull();
  });

  it('refuses to reply on a channel the customer cannot be reached on, and stores nothing', async () => {
    const smsInbox = await ws.addInbox({ channel: 'sms' });
    const before = await db.query('SELECT count(*)::int AS count FROM messages');
    await expect(
      conversations.reply(ws.workspaceId, agent(), conversationId, { body: 'x', inboxId: smsInbox.id }),
    ).rejects.toThrow('cannot be reached on sms: no phone identity');
    expect(await db.query('SELECT count(*)::int AS count FROM messages')).toEqual(before);
  });
});
