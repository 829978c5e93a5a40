import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { WorkerModule } from './worker.module.js';

/** Builds the worker (used by main.ts and by the tests). */
export async function createWorkerApp(
  options: { logger?: false | LogLevel[] } = { logger: ['error', 'warn', 'log'] },
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: options.logger });
  app.enableShutdownHooks();
  return app;
}
