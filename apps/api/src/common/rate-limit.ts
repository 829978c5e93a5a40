import { applyDecorators, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';

/** Per-IP limit on sign-in attempts (LOGIN_RATE_LIMIT_PER_MINUTE). */
export const LoginRateLimit = () =>
  applyDecorators(UseGuards(ThrottlerGuard), SkipThrottle({ ingest: true }));

/** Per-IP limit on API-channel ingest (INGEST_RATE_LIMIT_PER_MINUTE). */
export const IngestRateLimit = () =>
  applyDecorators(UseGuards(ThrottlerGuard), SkipThrottle({ login: true }));
