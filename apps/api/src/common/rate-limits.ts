import type { NestExpressApplication } from '@nestjs/platform-express';
import { rateLimit } from 'express-rate-limit';
import type { AppConfig } from '@parley/config';

/**
 * Per-IP limits on the public doors: sign-in (against password guessing), API-channel ingest and
 * the public survey page.
 * Counters live in the process; see docs/operations.md for running several api processes.
 */
export function applyRateLimits(app: NestExpressApplication, config: AppConfig): void {
  const limiter = (limit: number, what: string) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_request, response) => {
        response.status(429).json({
          statusCode: 429,
          error: 'Too Many Requests',
          message: `Too many ${what}; retry in a minute`,
        });
      },
    });
  app.use('/api/v1/auth/login', limiter(config.env.LOGIN_RATE_LIMIT_PER_MINUTE, 'sign-in attempts'));
  app.use(
    /^\/api\/v1\/inboxes\/[^/]+\/inbound$/,
    limiter(config.env.INGEST_RATE_LIMIT_PER_MINUTE, 'messages'),
  );
  app.use(
    '/api/v1/public/surveys',
    limiter(config.env.PUBLIC_SURVEY_RATE_LIMIT_PER_MINUTE, 'survey requests'),
  );
}
