import { InboundScene } from './support/inbound-fault.js';
import { report, sized } from './support/figures.js';
import { PrivatePostgres } from './support/servers.js';

const INBOUND = sized(300, 2000);
const DOWN_FOR = 20;

/**
 * PostgreSQL goes away (immediate shutdown: connections cut, as a crash) in the middle of inbound
 * webhooks, on a private cluster. While it is down the webhooks answer 5xx, so Twilio retries;
 * nothing acknowledged is lost; the same api and worker processes carry on once it is back.
 */
describe('PostgreSQL restarted during inbound load', () => {
  const scene = new InboundScene();
  let postgres: PrivatePostgres | undefined;
  const previousUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start('parley_chaos');
    process.env.DATABASE_URL = postgres.url('parley_chaos');
    await scene.start();
  }, 600_000);

  afterAll(async () => {
    try {
      await scene.stop();
    } finally {
      await postgres?.stop();
      process.env.DATABASE_URL = previousUrl;
    }
  }, 60_000);

  it(`answers 5xx while it is down and loses none of ${INBOUND} acknowledged webhooks`, async () => {
    const load = await scene.loadWithFault(
      INBOUND,
      { down: () => postgres!.down(), up: () => postgres!.up() },
      DOWN_FOR,
    );
    const stored = await scene.stored();
    const apiPid = scene.api.pid;
    const { outboxPending } = await scene.resumes(INBOUND);
    report('postgres-restart', {
      ...load,
      storedRows: stored.rows,
      storedDistinct: stored.distinct,
      outboxPending,
    });

    expect(load.acknowledged).toBe(INBOUND);
    // While it was down, webhooks failed (5xx answers, never a 2xx without a commit).
    expect(load.failedWhileDown).toBeGreaterThanOrEqual(DOWN_FOR);
    expect(load.answers5xx).toBeGreaterThan(0);
    expect(stored).toEqual({ rows: INBOUND, distinct: INBOUND });
    // Recovered without a restart: the same processes, ready again.
    expect(scene.api.running && scene.worker.running).toBe(true);
    expect(scene.api.pid).toBe(apiPid);
    expect((await fetch(`${scene.api.url}/health/ready`)).status).toBe(200);
  }, 600_000);
});
