import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@parley/config';
import { ImapPollers } from '@parley/inbox';
import { logJobContext, Metrics, type ParleyLogger } from '@parley/observability';
import { Logger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { PROCESSORS, WorkerModule } from './worker.module.js';

/** Builds the worker (used by main.ts and by the tests). */
export async function createWorkerApp(
  options: { logger?: false | LogLevel[] | ParleyLogger } = { logger: ['error', 'warn', 'log'] },
): Promise<INestApplicationContext> {
  // Lines logged while a job runs name it (queue, jobId).
  logJobContext(PROCESSORS);
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: options.logger });
  const logger = new Logger('Worker');
  // Deliveries and jobs counted here are scraped from the worker itself (the api has its own /metrics).
  const metrics = app.get(Metrics);
  const pollers = app.get(ImapPollers);
  metrics.scrapeGauge(
    'parley_imap_pollers',
    'IMAP mailboxes this worker polls (holds the lock of)',
    [],
    (gauge) => {
      gauge.set(pollers.polling.length);
      return Promise.resolve();
    },
  );
  for (const processor of PROCESSORS) {
    const worker = app.get(processor).worker;
    worker.on('completed', (job) => metrics.observeJob(worker.name, job, 'completed'));
    worker.on('failed', (job) => job && metrics.observeJob(worker.name, job, 'failed'));
    // Connection trouble surfaces as `error` events; unheard, Node throws them (BullMQ says to listen).
    worker.on('error', (error) => logger.warn(`queue ${worker.name}: ${error.message}`));
  }
  const port = app.get(AppConfig).env.WORKER_METRICS_PORT;
  const server =
    port > 0
      ? createServer((request, response) => {
          if (request.url !== '/metrics') return void response.writeHead(404).end();
          void metrics
            .render()
            .then(({ contentType, body }) =>
              response.writeHead(200, { 'content-type': contentType }).end(body),
            );
        }).listen(port)
      : null;
  const close = app.close.bind(app);
  app.close = async () => {
    // First stop taking jobs and let the active ones finish, while the database, Redis and the
    // channel clients they use are still open. Nest would close the BullMQ workers last of all
    // (onApplicationShutdown), after the modules they depend on: a job cut off there fails after
    // its side effect (a message sent) and its retry does it again.
    await Promise.all(PROCESSORS.map((processor) => app.get(processor).worker.close()));
    server?.close();
    await close();
  };
  return app;
}
