import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import type { AppConfig } from '@parley/config';
import { RateLimitCounters } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/** Seconds until a window ends, at least 1 (the `Retry-After` of every 429 Parley sends). */
export function retryAfterSeconds(resetTime: Date | undefined, now = Date.now()): number {
  return Math.max(1, Math.ceil(((resetTime?.getTime() ?? now + WINDOW_MS) - now) / 1000));
}

/** The one 429 shape: `Retry-After` in seconds and a reason naming what was limited. */
export function tooManyRequests(response: Response, retryAfter: number, message: string): void {
  response.setHeader('Retry-After', String(retryAfter));
  response.status(429).json({ statusCode: 429, error: 'Too Many Requests', message, retryAfter });
}

/**
 * Per-IP limits on the public doors, counted in Redis so they hold across api processes: sign-in
 * (against password guessing; the per-account lockout is in AuthService), API-channel ingest,
 * provider webhooks (one budget per provider, generous: providers burst), the widget's HTTP
 * files and the public survey page and its API.
 */
export function applyRateLimits(app: NestExpressApplication, config: AppConfig): void {
  const counters = app.get(RateLimitCounters);
  const limiter = (name: string, limit: number, what: string) =>
    rateLimit({
      windowMs: WINDOW_MS,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: counters.store(name, WINDOW_MS),
      // Redis down must not take the inbox down with it: the request goes through (and is logged by the store).
      passOnStoreError: true,
      handler: (request: Request & { rateLimit?: RateLimitInfo }, response: Response) => {
        const retryAfter = retryAfterSeconds(request.rateLimit?.resetTime);
        tooManyRequests(response, retryAfter, `Too many ${what} from this address; retry in ${retryAfter} s`);
      },
    });
  const env = config.env;
  app.use('/api/v1/auth/login', limiter('login', env.LOGIN_RATE_LIMIT_PER_MINUTE, 'sign-in attempts'));
  app.use(
    /^\/api\/v1\/inboxes\/[^/]+\/inbound$/,
    limiter('ingest', env.INGEST_RATE_LIMIT_PER_MINUTE, 'messages'),
  );
  for (const provider of ['twilio', 'meta', 'email'])
    app.use(
      `/webhooks/${provider}`,
      limiter(`webhook-${provider}`, env.WEBHOOK_RATE_LIMIT_PER_MINUTE, `${provider} webhook requests`),
    );
  // `/widget.js` and any later `/widget…` file (a RegExp mount would need a `/` after the match).
  const widget = limiter('widget', env.WIDGET_HTTP_RATE_LIMIT_PER_MINUTE, 'widget requests');
  app.use((request: Request, response: Response, next: () => void) =>
    request.path.startsWith('/widget') ? widget(request, response, next) : next(),
  );
  const surveys = limiter('survey', env.PUBLIC_SURVEY_RATE_LIMIT_PER_MINUTE, 'survey requests');
  app.use('/api/v1/public/surveys', surveys);
  app.use('/survey/', surveys);
}
