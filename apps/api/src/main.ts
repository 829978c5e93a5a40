import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@parley/config';
import { assertDatabaseReachable } from '@parley/database';
import { assertRedisReachable } from '@parley/jobs';
import { installGracefulShutdown, ParleyLogger } from '@parley/observability';
import { apiDrain, createApiApp } from './api.app.js';

async function main(): Promise<void> {
  const config = new AppConfig();
  const logger = new ParleyLogger({
    format: config.env.LOG_FORMAT,
    level: config.env.LOG_LEVEL,
    service: 'api',
  });
  Logger.overrideLogger(logger);
  await assertDatabaseReachable(config.env.DATABASE_URL);
  await assertRedisReachable(config.env.REDIS_URL);
  if (config.usesDevelopmentSecrets && !config.isProduction) {
    Logger.warn(
      'JWT_SECRET/ENCRYPTION_KEY not set: using development defaults (never do this in production)',
      'Config',
    );
  }
  const app = await createApiApp({ logger });
  const drain = apiDrain(app);
  installGracefulShutdown({
    app,
    timeoutMs: config.env.SHUTDOWN_TIMEOUT_MS,
    http: {
      server: app.getHttpServer(),
      requests: drain.inFlight,
      disconnectSockets: () => drain.disconnectLocalSockets(),
    },
  });
  await app.listen(config.env.PORT, config.env.HOST);
  Logger.log(`Parley API on ${config.env.PUBLIC_URL} (OpenAPI: ${config.env.PUBLIC_URL}/api/docs)`, 'Api');
}

main().catch((error: Error) => {
  Logger.fatal(`Parley API failed to start: ${error.message}`, 'Api');
  process.exit(1);
});
