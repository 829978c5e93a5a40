import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import { assertDatabaseReachable } from '@parley/database';
import { assertRedisReachable } from '@parley/jobs';
import { createApiApp } from './api.app.js';

async function main(): Promise<void> {
  const config = new AppConfig();
  await assertDatabaseReachable(config.env.DATABASE_URL);
  await assertRedisReachable(config.env.REDIS_URL);
  if (config.usesDevelopmentSecrets && !config.isProduction) {
    Logger.warn(
      'JWT_SECRET/ENCRYPTION_KEY not set: using development defaults (never do this in production)',
      'Config',
    );
  }
  const app = await createApiApp();
  await app.listen(config.env.PORT, config.env.HOST);
  Logger.log(`Parley API on ${config.env.PUBLIC_URL} (OpenAPI: ${config.env.PUBLIC_URL}/api/docs)`, 'Api');
}

main().catch((error: Error) => {
  console.error(`Parley API failed to start: ${error.message}`);
  process.exit(1);
});
