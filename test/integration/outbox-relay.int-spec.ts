import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { JobQueues, OutboxRelay, OutboxRepository, type JobRequest } from '@parley/jobs';
import { createWorkspace, type WorkspaceFixture } from '@parley/testing';
import { bootDomain } from '../support/integration.js';

describe('outbox relay: jobs go to BullMQ in one bulk per queue', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let ws: WorkspaceFixture;
  let queues: JobQueues;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    db = moduleRef.get(DataSource);
    queues = moduleRef.get(JobQueues);
    ws = await createWorkspace(moduleRef);
  });

  afterAll(() => moduleRef.close());

  const delivery = (): JobRequest<'delivery.deliver'> => {
    const messageId = randomUUID();
    return { name: 'delivery.deliver', data: { workspaceId: ws.workspaceId, messageId }, jobId: messageId };
  };

  it('adds every job of a pass, in order per queue, and stamps the rows', async () => {
    const jobs = Array.from({ length: 30 }, delivery);
    const metrics: JobRequest<'metrics.conversation'> = {
      name: 'metrics.conversation',
      data: { workspaceId: ws.workspaceId, conversationId: randomUUID(), seq: '7' },
      jobId: `metrics-relay-${randomUUID()}`,
      delayMs: 60_000,
    };
    await db.transaction((manager) =>
      moduleRef
        .get(OutboxRepository)
        .append(manager, ws.workspaceId, [
          ...jobs.map((job) => ({ kind: 'job' as const, job })),
          { kind: 'job', job: metrics },
        ]),
    );
    await moduleRef.get(OutboxRelay).drain();

    const added = await Promise.all(jobs.map((job) => queues.queue('delivery').getJob(job.jobId)));
    expect(added.map((job) => job?.data)).toEqual(jobs.map((job) => job.data));
    // One MULTI per queue: BullMQ numbers the jobs' timestamps in the order they were added.
    const stamps = added.map((job) => job?.timestamp ?? 0);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    const delayed = await queues.queue('metrics').getJob(metrics.jobId);
    expect(delayed?.opts.delay).toBe(60_000);
    const [{ pending }] = await db.query(
      `SELECT count(*)::int AS pending FROM outbox WHERE workspace_id = $1 AND dispatched_at IS NULL`,
      [ws.workspaceId],
    );
    expect(pending).toBe(0);
  });

  it('keeps a refused queue’s rows pending with the reason, and sends the rest of the pass', async () => {
    const before = delivery();
    const after = delivery();
    // A job for a queue this version does not have: BullMQ is never asked, the rows must wait.
    const unknown = {
      name: 'nosuch.job',
      data: {},
      jobId: `nosuch-${randomUUID()}`,
    } as unknown as JobRequest;
    await db.transaction((manager) =>
      moduleRef.get(OutboxRepository).append(manager, ws.workspaceId, [
        { kind: 'job', job: before },
        { kind: 'job', job: unknown },
        { kind: 'job', job: { ...unknown, jobId: `nosuch-${randomUUID()}` } },
        {
          kind: 'realtime',
          envelope: { event: 'presence.changed', rooms: [`ws:${ws.workspaceId}`], payload: {} },
        } as never,
        { kind: 'job', job: after },
      ]),
    );
    await moduleRef.get(OutboxRelay).drain();

    expect(await queues.queue('delivery').getJob(before.jobId)).toBeDefined();
    expect(await queues.queue('delivery').getJob(after.jobId)).toBeDefined();
    const rows: Array<{ name: string; dispatched: boolean; last_error: string | null }> = await db.query(
      `SELECT name, dispatched_at IS NOT NULL AS dispatched, last_error FROM outbox
        WHERE workspace_id = $1 AND created_at > now() - interval '1 minute' ORDER BY id`,
      [ws.workspaceId],
    );
    expect(rows.slice(-5)).toEqual([
      { name: 'delivery.deliver', dispatched: true, last_error: null },
      { name: 'nosuch.job', dispatched: false, last_error: 'Unknown queue nosuch' },
      { name: 'nosuch.job', dispatched: false, last_error: null },
      { name: 'presence.changed', dispatched: true, last_error: null },
      { name: 'delivery.deliver', dispatched: true, last_error: null },
    ]);
    // The refused rows stay for the sweeper; clear them so other tests see an empty outbox.
    await db.query(`DELETE FROM outbox WHERE workspace_id = $1 AND name = 'nosuch.job'`, [ws.workspaceId]);
  });
});
