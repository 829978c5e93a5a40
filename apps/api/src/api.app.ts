import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppConfig } from '@parley/config';
import { InFlightRequests, Metrics, type ParleyLogger, requestIdMiddleware } from '@parley/observability';
import { ApiModule } from './api.module.js';
import { DomainErrorFilter } from './common/domain-error.filter.js';
import { inputShapeGuard } from './common/input-shape.js';
import { applyRateLimits } from './common/rate-limits.js';
import { validationPipe } from './common/validation.js';
import { emailWebhookBody } from './email/email-webhooks.controller.js';
import { AgentGateway } from './realtime/agent.gateway.js';
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

export interface ApiDrain {
  /** Requests being handled right now (a graceful shutdown waits for them). */
  inFlight: InFlightRequests;
  /** Disconnects the agent sockets of this process only, once their presence bookkeeping is written. */
  disconnectLocalSockets(): Promise<void>;
}

// Nest's application object is a proxy that takes no new properties: the drain handles live here.
const drains = new WeakMap<NestExpressApplication, ApiDrain>();

/** What a graceful shutdown of this api app needs (see main.ts). */
export function apiDrain(app: NestExpressApplication): ApiDrain {
  const drain = drains.get(app);
  if (!drain) throw new Error('not an app built by createApiApp');
  return drain;
}

/** Builds the api application (used by main.ts and by the tests). */
export async function createApiApp(
  options: { logger?: false | LogLevel[] | ParleyLogger } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    bodyParser: false,
    // Meta signs the exact bytes it sends; the raw body is kept for that check.
    rawBody: true,
    logger: options.logger,
  });
  const config = app.get(AppConfig);
  // First: every request gets an id (logs, response header) and is counted until it is answered.
  const inFlight = new InFlightRequests();
  app.use(requestIdMiddleware());
  app.use(inFlight.middleware());
  // Behind a reverse proxy, client IPs (rate limits) come from X-Forwarded-For only if trusted.
  app.set('trust proxy', trustProxySetting(config.env.TRUST_PROXY));
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  // Before any body is parsed: a flood is refused without reading what it sends.
  applyRateLimits(app, config);
  // Raw-MIME webhooks carry whole emails: their own parser and limit (form encoding adds up to 3x).
  app.use('/webhooks/email', emailWebhookBody(config.env.EMAIL_MAX_BYTES * 3 + 64 * 1024));
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT });
  app.useBodyParser('urlencoded', { extended: false, limit: config.env.BODY_LIMIT });
  app.use(inputShapeGuard());
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
  // An origin off the allow-list gets no CORS header at all (`origin: false` skips the middleware).
  const corsOrigins = new Set(config.corsOrigins);
  if (corsOrigins.size)
    app.enableCors((request: { header(name: string): string | undefined }, callback) =>
      callback(null, { origin: corsOrigins.has(request.header('origin') ?? ''), credentials: true }),
    );
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new DomainErrorFilter());
  const io = new RedisIoAdapter(app, config);
  app.useWebSocketAdapter(io);
  // The agent web app (dist/web) at `/`; it sets its own CSP (the api's JSON and Swagger UI need none).
  serveWebApp(app, config.env.WEB_DIR);
  const document = openApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  drains.set(app, {
    inFlight,
    disconnectLocalSockets: async () => {
      io.disconnectLocalSockets();
      await app.get(AgentGateway).settled();
    },
  });
  return app;
}
