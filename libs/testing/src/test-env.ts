import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment every test process of a tier runs with: its own database and Redis key prefix. */
export function testEnvironment(tier: 'integration' | 'e2e' | 'chaos'): Record<string, string> {
  // Same naming as test/setup/global-setup.mjs, which creates the database.
  const base = (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
    /\/[^/:]*$/,
    '',
  );
  return {
    NODE_ENV: 'test',
    DATABASE_URL: `${base}/parley_test_${tier}${process.env.PARLEY_TEST_RUN ? `_${process.env.PARLEY_TEST_RUN}` : ''}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `parley-test-${tier}-${process.pid}-${randomBytes(3).toString('hex')}`,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    OUTBOX_SWEEP_MS: '250',
    DELIVERY_ATTEMPTS: '3',
    DELIVERY_BACKOFF_MS: '50',
    OUTBOUND_WEBHOOK_TIMEOUT_MS: '3000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    DATABASE_POOL_SIZE: '5',
    WORKER_METRICS_PORT: '0',
    EMAIL_IMAP_RECONCILE_MS: '300',
    EMAIL_IMAP_POLL_MS: '1000',
    // Media fetched during tests goes to a throw-away folder, never into the checkout.
    ATTACHMENTS_DIR: join(tmpdir(), `parley-test-attachments-${tier}-${process.pid}`),
  };
}

export function applyTestEnvironment(tier: 'integration' | 'e2e' | 'chaos'): void {
  Object.assign(process.env, testEnvironment(tier));
}
