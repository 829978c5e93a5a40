import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import { assertDatabaseReachable } from '@parley/database';
import { assertRedisReachable } from '@parley/jobs';
import { createWorkerApp } from './worker.app.js';

async function main(): Promise<void> {
  const config = new AppConfig();
  await assertDatabaseReachable(config.env.DATABASE_URL);
  await assertRedisReachable(config.env.REDIS_URL);
  await createWorkerApp();
  Logger.log('Parley worker is processing jobs', 'Worker');
}

main().catch((error: Error) => {
  console.error(`Parley worker failed to start: ${error.message}`);
  process.exit(1);
});
