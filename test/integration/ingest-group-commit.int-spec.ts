import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  ConversationHookRegistry,
  IngestService,
  InboxError,
  InboxErrorCode,
  type IngestResult,
} from '@parley/inbox';
import { Metrics } from '@parley/observability';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

/** Observations of a prometheus histogram without labels: how many, and their sum. */
async function observed(histogram: Metrics['ingestBatchSize']): Promise<{ count: number; sum: number }> {
  const { values } = await histogram.get();
  const pick = (name: string) => values.find((value) => value.metricName === name)?.value ?? 0;
  return { count: pick('parley_ingest_batch_size_count'), sum: pick('parley_ingest_batch_size_sum') };
}

describe('ingest group commit: messages arriving together share a transaction', () => {
  let moduleRef: TestingModule;
  let ingest: IngestService;
  let metrics: Metrics;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let sms: string;
  let api: string;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    ingest = moduleRef.get(IngestService);
    metrics = moduleRef.get(Metrics);
    db = moduleRef.get(DataSource);
    ws = await createWorkspace(moduleRef);
    sms = (await ws.addInbox({ channel: 'sms' })).id;
    api = (await ws.addInbox({ channel: 'api' })).id;
    // A message whose body is "explode" fails inside its transaction, after its sender's contact
    // and identity were written: what a batch holding it must roll back and retry without it.
    moduleRef.get(ConversationHookRegistry).register({
      claimInbound: ({ body }) =>
        body === 'explode'
          ? Promise.reject(new InboxError(InboxErrorCode.InvalidInput, 'this message cannot be stored'))
          : Promise.resolve(null),
    });
  });

  afterAll(() => moduleRef.close());

  const send = (inboxId: string, externalId: string, phone: string, body: string) =>
    ingest.ingest({
      workspaceId: ws.workspaceId,
      inboxId,
      externalId,
      identities: [{ kind: 'phone', value: phone }],
      body,
    });

  it('stores a burst from many customers in fewer transactions, threading each customer as one at a time would', async () => {
    const before = await observed(metrics.ingestBatchSize);
    const customers = Array.from({ length: 12 }, (_, i) => `+1415555${String(2000 + i)}`);
    // Five messages a customer, interleaved, on two channels; then a provider retry of one of each.
    const sends: Array<Promise<IngestResult>> = [];
    for (let round = 0; round < 5; round += 1)
      customers.forEach((phone, i) =>
        sends.push(send(round % 2 ? api : sms, `gc-${i}-${round}`, phone, `round ${round}`)),
      );
    customers.forEach((phone, i) => sends.push(send(sms, `gc-${i}-0`, phone, 'round 0')));
    const results = await Promise.all(sends);

    const after = await observed(metrics.ingestBatchSize);
    expect(after.sum - before.sum).toBe(results.length);
    // 72 messages in fewer transactions than messages: some were written together.
    expect(after.count - before.count).toBeLessThan(results.length);

    const outcomes = results.map((result) => result.outcome);
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(12);
    expect(outcomes.filter((outcome) => outcome === 'joined')).toHaveLength(48);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(12);
    customers.forEach((_, i) => {
      const mine = results.filter((_, index) => index % 12 === i);
      expect(new Set(mine.map((result) => result.conversation.id)).size).toBe(1);
      // The retry answers with the message stored the first time.
      expect(mine[5].message.id).toBe(mine[0].message.id);
    });

    const rows: Array<{ phone: string; conversations: number; messages: number; counted: number }> =
      await db.query(
        `SELECT c.phone, count(DISTINCT v.id)::int AS conversations, count(m.id)::int AS messages,
                max(v.messages_count)::int AS counted
           FROM contacts c JOIN conversations v ON v.contact_id = c.id
           JOIN messages m ON m.conversation_id = v.id
          WHERE c.workspace_id = $1 AND c.phone = ANY($2) GROUP BY c.phone ORDER BY c.phone`,
        [ws.workspaceId, customers],
      );
    expect(rows).toEqual(customers.map((phone) => ({ phone, conversations: 1, messages: 5, counted: 5 })));

    // Every message has its event and its realtime row; every conversation its metrics job.
    const conversationIds = [...new Set(results.map((result) => result.conversation.id))];
    const [events] = await db.query(
      `SELECT count(*) FILTER (WHERE type = 'opened')::int AS opened,
              count(*) FILTER (WHERE type = 'customer_message')::int AS messages
         FROM conversation_events WHERE conversation_id = ANY($1)`,
      [conversationIds],
    );
    expect(events).toEqual({ opened: 12, messages: 60 });
    const outbox: Array<{ name: string; count: number }> = await db.query(
      `SELECT name, count(*)::int AS count FROM outbox
        WHERE workspace_id = $1 AND (payload->'payload'->'message'->>'conversationId' = ANY($2)
           OR payload->'data'->>'conversationId' = ANY($2))
        GROUP BY name ORDER BY name`,
      [ws.workspaceId, conversationIds],
    );
    const byName = Object.fromEntries(outbox.map((row) => [row.name, row.count]));
    expect(byName['message.created']).toBe(60);
    expect(byName['metrics.conversation']).toBeGreaterThanOrEqual(12);
    expect(byName['metrics.conversation']).toBeLessThanOrEqual(60);
  });

  it('rolls back a batch holding a message that fails, stores the others, and fails only that one', async () => {
    const retriesBefore = (await metrics.ingestBatchRetries.get()).values[0]?.value ?? 0;
    const phones = Array.from({ length: 10 }, (_, i) => `+1415555${String(3000 + i)}`);
    const settled = await Promise.allSettled(
      phones.map((phone, i) => send(sms, `bad-${i}`, phone, i === 6 ? 'explode' : `hello ${i}`)),
    );
    expect(settled.map((result) => result.status)).toEqual(
      phones.map((_, i) => (i === 6 ? 'rejected' : 'fulfilled')),
    );
    const failed = settled[6] as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(InboxError);
    expect((failed.reason as Error).message).toBe('this message cannot be stored');
    expect((await metrics.ingestBatchRetries.get()).values[0]?.value ?? 0).toBeGreaterThan(retriesBefore);

    const stored: Array<{ phone: string }> = await db.query(
      `SELECT c.phone FROM messages m JOIN contacts c ON c.id = m.contact_id
        WHERE m.workspace_id = $1 AND m.external_id LIKE 'bad-%' ORDER BY c.phone`,
      [ws.workspaceId],
    );
    expect(stored.map((row) => row.phone)).toEqual(phones.filter((_, i) => i !== 6));
    // The failed message left nothing behind: no contact, no identity.
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM contact_identities WHERE workspace_id = $1 AND value = $2`,
      [ws.workspaceId, phones[6]],
    );
    expect(count).toBe(0);
  });
});
