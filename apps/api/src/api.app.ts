import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppConfig } from '@parley/config';
import { Metrics } from '@parley/observability';
import { ApiModule } from './api.module.js';
import { DomainErrorFilter } from './common/domain-error.filter.js';
import { applyRateLimits } from './common/rate-limits.js';
import { validationPipe } from './common/validation.js';
import { emailWebhookBody } from './email/email-webhooks.controller.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';
import { serveWebApp } from './web/web-app.js';

function trustProxySetting(value: string): boolean | number | string {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function openApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Parley API')
    .setDescription(
      'The agent REST API and the API channel. Authenticate with `Authorization: Bearer <JWT from /api/v1/auth/login>` ' +
        'or an API key (`X-Api-Key: pk_…`). Live updates: socket.io namespace `/agent` (see docs/api.md).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Builds the api application (used by main.ts and by the tests). */
export async function createApiApp(
  options: { logger?: false | LogLevel[] } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    bodyParser: false,
    // Meta signs the exact bytes it sends; the raw body is kept for that check.
    rawBody: true,
    logger: options.logger,
  });
  const config = app.get(AppConfig);
  // Behind a reverse proxy, client IPs (rate limits) come from X-Forwarded-For only if trusted.
  app.set('trust proxy', trustProxySetting(config.env.TRUST_PROXY));
  // Raw-MIME webhooks carry whole emails: their own parser and limit (form encoding adds up to 3x).
  app.use('/webhooks/email', emailWebhookBody(config.env.EMAIL_MAX_BYTES * 3 + 64 * 1024));
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT });
  app.useBodyParser('urlencoded', { extended: false, limit: config.env.BODY_LIMIT });
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  applyRateLimits(app, config);
  const metrics = app.get(Metrics);
  app.use(
    (
      request: { method: string; route?: { path?: string } },
      response: { statusCode: number; on(event: 'finish', listener: () => void): void },
      next: () => void,
    ) => {
      const stop = metrics.httpRequests.startTimer();
      // The route pattern (not the raw path) keeps label cardinality bounded.
      response.on('finish', () =>
        stop({
          method: request.method,
          route: request.route?.path ?? 'unmatched',
          status: String(response.statusCode),
        }),
      );
      next();
    },
  );
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: true });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new DomainErrorFilter());
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));
  // The agent web app (dist/web) at `/`; it sets its own CSP (the api's JSON and Swagger UI need none).
  serveWebApp(app, config.env.WEB_DIR);
  app.enableShutdownHooks();
  const document = openApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
