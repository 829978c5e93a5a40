import { JobQueues } from '@parley/jobs';
import { eventually } from '@parley/testing';
import { InboundScene } from './support/inbound-fault.js';
import { report, sized } from './support/figures.js';
import { PrivateRedis } from './support/servers.js';

const INBOUND = sized(300, 2000);
const DOWN_FOR = 40;

/**
 * Redis goes away (and comes back empty: no persistence) in the middle of inbound webhooks, on a
 * private server. Ingest only needs PostgreSQL, so webhooks keep being acknowledged; what was
 * committed meanwhile waits in the outbox, and realtime and jobs resume by themselves.
 */
describe('Redis restarted during inbound load', () => {
  const scene = new InboundScene();
  let redis: PrivateRedis | undefined;
  const previousUrl = process.env.REDIS_URL;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    process.env.REDIS_URL = redis.url;
    await scene.start();
  }, 600_000);

  afterAll(async () => {
    try {
      await scene.stop();
    } finally {
      await redis?.stop();
      process.env.REDIS_URL = previousUrl;
    }
  }, 60_000);

  it(`loses none of ${INBOUND} acknowledged webhooks; realtime, jobs and the outbox relay resume`, async () => {
    let pendingWhileDown = 0;
    const load = await scene.loadWithFault(
      INBOUND,
      {
        down: () => redis!.down(),
        up: async () => {
          pendingWhileDown = await scene.outboxPending();
          await redis!.up();
        },
      },
      DOWN_FOR,
    );
    const stored = await scene.stored();
    const { outboxPending } = await scene.resumes(INBOUND);
    // The periodic jobs come back too: the worker registers its job schedulers again in the empty Redis.
    const queues = scene.fixtures.api.get(JobQueues);
    const schedulers = await eventually(async () => {
      const counts = await Promise.all(
        (['assignment', 'surveys', 'conversations'] as const).map((q) =>
          queues.queue(q).getJobSchedulersCount(),
        ),
      );
      return counts.every((n) => n >= 1) ? counts.reduce((a, b) => a + b, 0) : undefined;
    }, 60_000);
    report('redis-restart', {
      ...load,
      storedRows: stored.rows,
      storedDistinct: stored.distinct,
      outboxPendingWhileDown: pendingWhileDown,
      outboxPending,
      jobSchedulersAfter: schedulers,
    });

    expect(load.acknowledged).toBe(INBOUND);
    expect(load.failedWhileDown + load.acknowledgedWhileDown).toBeGreaterThanOrEqual(DOWN_FOR);
    expect(stored).toEqual({ rows: INBOUND, distinct: INBOUND });
    // Rows committed while Redis was away waited in the outbox; the relay sent them once it was back.
    expect(pendingWhileDown).toBeGreaterThan(0);
    expect(scene.api.running && scene.worker.running).toBe(true);
  }, 600_000);
});
