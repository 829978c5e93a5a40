import type { QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { createWorkspace } from '@parley/testing';
import { bootStack, client, type Stack } from '../support/stack.js';

// A small pool and an acquire timeout above the old fixed 5 s: the burst below must wait its turn.
const POOL_SIZE = 2;
const HELD_MS = 6_000;

describe('Database pool under a burst: requests queue for a connection instead of failing', () => {
  let stack: Stack;
  const saved = {
    size: process.env.DATABASE_POOL_SIZE,
    timeout: process.env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
  };

  beforeAll(async () => {
    process.env.DATABASE_POOL_SIZE = String(POOL_SIZE);
    process.env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS = '15000';
    stack = await bootStack({ worker: false });
  });

  afterAll(async () => {
    await stack.close();
    restore('DATABASE_POOL_SIZE', saved.size);
    restore('DATABASE_POOL_ACQUIRE_TIMEOUT_MS', saved.timeout);
  });

  it('answers every inbound message of a burst with 201 while the pool is exhausted for longer than 5 s', async () => {
    const ws = await createWorkspace(stack.api);
    const inbox = await ws.addInbox({ channel: 'api' });
    const integration = client(stack.url, { apiKey: await ws.addApiKey() });

    // Every pooled connection of the api is taken, as by slow transactions of a CPU-starved process.
    const dataSource = stack.api.get(DataSource);
    const held: QueryRunner[] = [];
    for (let i = 0; i < POOL_SIZE; i++) {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      held.push(runner);
    }
    const burst = Array.from({ length: 12 }, (_, i) =>
      integration('POST', `/api/v1/inboxes/${inbox.id}/inbound`, {
        externalId: `burst-${i}`,
        contact: { identifier: `burst-customer-${i % 4}` },
        body: `Burst message ${i}`,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    await Promise.all(held.map((runner) => runner.release()));

    const answers = await Promise.all(burst);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    const [{ count }] = await dataSource.query<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM messages WHERE workspace_id = $1 AND inbox_id = $2`,
      [ws.workspaceId, inbox.id],
    );
    expect(count).toBe(12);
  }, 30_000);
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
