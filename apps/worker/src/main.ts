import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import { assertDatabaseReachable } from '@parley/database';
import { assertRedisReachable } from '@parley/jobs';
import { installGracefulShutdown, ParleyLogger } from '@parley/observability';
import { createWorkerApp } from './worker.app.js';

async function main(): Promise<void> {
  const config = new AppConfig();
  const logger = new ParleyLogger({
    format: config.env.LOG_FORMAT,
    level: config.env.LOG_LEVEL,
    service: 'worker',
  });
  Logger.overrideLogger(logger);
  await assertDatabaseReachable(config.env.DATABASE_URL);
  await assertRedisReachable(config.env.REDIS_URL);
  const app = await createWorkerApp({ logger });
  // Closing the modules closes the BullMQ workers, which wait for their active jobs.
  installGracefulShutdown({ app, timeoutMs: config.env.SHUTDOWN_TIMEOUT_MS });
  Logger.log('Parley worker is processing jobs', 'Worker');
}

main().catch((error: Error) => {
  Logger.fatal(`Parley worker failed to start: ${error.message}`, 'Worker');
  process.exit(1);
});
