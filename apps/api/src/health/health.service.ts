import { Injectable } from '@nestjs/common';
import { JobQueues } from '@parley/jobs';
import { TransactionRunner } from '@parley/database';

/** Readiness: PostgreSQL answers a query and Redis answers a ping, each within two seconds. */
@Injectable()
export class HealthService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly queues: JobQueues,
  ) {}

  async check(): Promise<{ database: string; redis: string }> {
    const [database, redis] = await Promise.all([
      probe(() => this.tx.manager.query('SELECT 1')),
      probe(() => this.queues.ping()),
    ]);
    return { database, redis };
  }
}

async function probe(work: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
    ]);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}
