import type { TestingModule } from '@nestjs/testing';
import { SECOND_CONNECTION, TransactionRunner } from '@parley/database';
import { bootDomain } from '../support/integration.js';

describe('TransactionRunner: one connection per transaction', () => {
  let moduleRef: TestingModule;
  let tx: TransactionRunner;

  beforeAll(async () => {
    moduleRef = await bootDomain();
    tx = moduleRef.get(TransactionRunner);
  });

  afterAll(() => moduleRef.close());

  it('refuses a read through another pooled connection while a transaction holds one', async () => {
    const outcome = await tx.run(async (manager) => {
      const sideways = await tx.manager.query('SELECT 1').then(
        () => 'read',
        (error: Error) => error.message,
      );
      const nested = await tx.run(() => Promise.resolve('nested')).catch((error: Error) => error.message);
      // The transaction's own connection is untouched by the refusals.
      const [{ one }] = await manager.query<Array<{ one: number }>>('SELECT 1 AS one');
      return { sideways, nested, one };
    });
    expect(outcome).toEqual({ sideways: SECOND_CONNECTION, nested: SECOND_CONNECTION, one: 1 });
    // Outside any transaction the pool serves as usual, at once and concurrently.
    const rows = await Promise.all([tx.manager.query('SELECT 1'), tx.run((m) => m.query('SELECT 2'))]);
    expect(rows).toHaveLength(2);
  });
});
